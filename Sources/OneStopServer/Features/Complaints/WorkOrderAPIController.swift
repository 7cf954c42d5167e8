import Fluent
import Foundation
import OneStopCore
import Vapor

/// A work order as the API and the pages show it to the viewer: the caller only where
/// `WorkOrderPrivacy` allows, the phone whole only for the hotline.
struct WorkOrderDTO: Content {
    var id: UUID
    var number: String
    var centerID: UUID
    var kind: String
    var channel: String
    var urgency: String
    var state: String
    var confidential: Bool
    var anonymous: Bool
    /// Nil when the viewer may not see who called.
    var callerName: String?
    var callerPhone: String?
    var callerHidden: Bool
    var title: String
    var text: String
    var address: String
    var windowID: UUID?
    var staffID: UUID?
    var itemID: UUID?
    var caseID: UUID?
    var brand: String
    var phrase: String?
    var departmentID: UUID?
    var coDepartments: [UUID]
    var receivedAt: Date
    var dispatchedAt: Date?
    var signDueAt: Date?
    var signedAt: Date?
    var dueAt: Date?
    var limit: String
    var overdue: Bool
    var repliedAt: Date?
    var reply: String
    var repliedBy: String
    var calledBackAt: Date?
    var satisfaction: String?
    var solved: Bool?
    var closedAt: Date?
    var returns: Int
    var reopens: Int
    var mergedInto: UUID?
    var valid: Bool?
    var judgeNote: String
    var history: [Event]?
    /// Likely duplicates, when the order was just taken in.
    var duplicates: [Duplicate]?

    struct Event: Content {
        var at: Date
        var actor: String
        var action: String
        var departmentID: UUID?
        var outcome: String
        var note: String
    }

    struct Duplicate: Content {
        var id: UUID
        var number: String
        var title: String
        var state: String
        var receivedAt: Date
    }

    static func date(_ m: Int64?) -> Date? { m.map { Date(timeIntervalSince1970: Double($0) / 1000) } }

    init(_ o: WorkOrderModel, viewer: Role?, now: Date, history: [WorkOrderEventModel]? = nil, duplicates: [WorkOrderModel]? = nil) {
        let sees = WorkOrderPrivacy.seesCaller(viewer, confidential: o.confidential)
        id = o.id!
        number = o.number
        centerID = o.centerID
        kind = o.kind
        channel = o.channel
        urgency = o.urgency
        state = o.state
        confidential = o.confidential
        anonymous = o.anonymous
        callerHidden = !sees
        callerName = sees ? o.callerName : nil
        let phone = sees ? o.callerPhone : nil
        callerPhone = WorkOrderPrivacy.seesWholePhone(viewer, confidential: o.confidential) ? phone : phone.map(PhoneNumber.masked)
        title = o.title
        text = o.text
        address = o.address
        windowID = o.windowID
        staffID = o.staffID
        itemID = o.itemID
        caseID = o.caseID
        brand = o.brandRef
        phrase = o.phrase
        departmentID = o.departmentID
        coDepartments = o.coDepartmentIDs
        receivedAt = Self.date(o.receivedAt)!
        dispatchedAt = Self.date(o.dispatchedAt)
        signDueAt = Self.date(o.signDueAt)
        signedAt = Self.date(o.signedAt)
        dueAt = Self.date(o.dueAt)
        limit = o.limitText
        let running = o.stateValue == .dispatched || o.stateValue == .handling
        overdue = running && (o.dueAt.map { HallClock.millis(now) > $0 } ?? false)
        repliedAt = Self.date(o.repliedAt)
        reply = o.reply
        repliedBy = o.repliedBy
        calledBackAt = Self.date(o.calledBackAt)
        satisfaction = o.satisfaction
        solved = o.solved
        closedAt = Self.date(o.closedAt)
        returns = o.returns
        reopens = o.reopens
        mergedInto = o.mergedInto
        valid = o.valid
        judgeNote = o.judgeNote
        self.history = history?.map {
            Event(
                at: Self.date($0.at)!, actor: $0.actor, action: $0.action, departmentID: $0.departmentID, outcome: $0.outcome, note: $0.note
            )
        }
        self.duplicates = duplicates?.map {
            Duplicate(id: $0.id!, number: $0.number, title: $0.title, state: $0.state, receivedAt: Self.date($0.receivedAt)!)
        }
    }
}

/// What the public tracker shows: the state and the reply, nothing of the handling.
struct TrackedWorkOrderDTO: Content {
    var number: String
    var kind: String
    var state: String
    var receivedAt: Date
    var repliedAt: Date?
    var reply: String
    var closed: Bool
}

enum WorkOrderAPIController {
    static let schemas: [String: JSONValue] = {
        typealias S = OpenAPISchemas
        let optionalDate = S.optionalDateTime
        let event = S.object([
            "at": S.dateTime, "actor": S.string, "action": S.string, "departmentID": S.optionalUUID, "outcome": S.string, "note": S.string,
        ])
        let duplicate = S.object(["id": S.uuid, "number": S.string, "title": S.string, "state": S.string, "receivedAt": S.dateTime])
        return [
            "WorkOrder": S.object([
                "id": S.uuid, "number": S.string, "centerID": S.uuid, "kind": CaseSchemas.names(WorkOrderKind.self),
                "channel": CaseSchemas.names(WorkOrderChannel.self), "urgency": CaseSchemas.names(WorkOrderUrgency.self),
                "state": CaseSchemas.names(WorkOrderState.self), "confidential": S.bool, "anonymous": S.bool,
                "callerName": S.optionalString, "callerPhone": S.optionalString, "callerHidden": S.bool, "title": S.string,
                "text": S.string, "address": S.string, "windowID": S.optionalUUID, "staffID": S.optionalUUID, "itemID": S.optionalUUID,
                "caseID": S.optionalUUID, "brand": S.string, "phrase": S.optionalString, "departmentID": S.optionalUUID,
                "coDepartments": ["type": "array", "items": S.uuid], "receivedAt": S.dateTime, "dispatchedAt": optionalDate,
                "signDueAt": optionalDate, "signedAt": optionalDate, "dueAt": optionalDate, "limit": S.string, "overdue": S.bool,
                "repliedAt": optionalDate, "reply": S.string, "repliedBy": S.string, "calledBackAt": optionalDate,
                "satisfaction": ["enum": .array(WorkOrderSatisfaction.allCases.map { .string($0.rawValue) } + [.null])],
                "solved": ["type": ["boolean", "null"]], "closedAt": optionalDate, "returns": S.integer, "reopens": S.integer,
                "mergedInto": S.optionalUUID, "valid": ["type": ["boolean", "null"]], "judgeNote": S.string,
                "history": ["type": ["array", "null"], "items": event], "duplicates": ["type": ["array", "null"], "items": duplicate],
            ]),
            "WorkOrderInput": S.object(
                [
                    "center": S.string, "kind": CaseSchemas.names(WorkOrderKind.self), "channel": CaseSchemas.names(WorkOrderChannel.self),
                    "urgency": CaseSchemas.names(WorkOrderUrgency.self), "callerName": S.string, "callerPhone": S.string,
                    "callerID": S.string, "anonymous": S.bool, "confidential": S.bool, "subject": S.string, "text": S.string,
                    "address": S.string, "windowID": S.uuid, "staffID": S.uuid, "itemID": S.uuid, "caseNumber": S.string,
                    "brand": S.string, "phrase": S.string, "answer": S.string,
                ], required: ["kind", "text"]),
            "WorkOrderStep": S.object([
                "department": S.uuid, "coDepartments": ["type": "array", "items": S.uuid], "note": S.string, "reason": S.string,
                "reply": S.string, "reached": S.bool, "satisfaction": CaseSchemas.names(WorkOrderSatisfaction.self), "solved": S.bool,
                "into": S.uuid, "by": S.integer, "valid": S.bool,
            ]),
            "TrackedWorkOrder": S.object([
                "number": S.string, "kind": S.string, "state": S.string, "receivedAt": S.dateTime, "repliedAt": optionalDate,
                "reply": S.string, "closed": S.bool,
            ]),
            "WorkOrderTrackInput": S.object(["orderNumber": S.string, "phoneTail": S.string], required: ["orderNumber", "phoneTail"]),
            "PublicWorkOrderInput": S.object(
                [
                    "center": S.string, "kind": CaseSchemas.names(WorkOrderKind.self), "callerName": S.string, "callerPhone": S.string,
                    "anonymous": S.bool, "confidential": S.bool, "subject": S.string, "text": S.string, "address": S.string,
                    "phrase": S.string,
                ], required: ["center", "kind", "text"]),
            "WorkOrderReport": {
                let rate: JSONValue = ["type": ["number", "null"]]
                var row: [String: JSONValue] = ["departmentID": S.optionalUUID, "department": S.string]
                for (i, name) in WorkOrderFigures.columnNames.enumerated() {
                    row[name] = i < WorkOrderFigures.columnNames.count - WorkOrderFigures.rateColumns ? S.integer : rate
                }
                return S.object([
                    "centerID": S.uuid, "centerName": S.string, "from": S.string, "to": S.string,
                    "rows": ["type": "array", "items": S.object(row)], "total": S.object(row),
                ])
            }(),
            "DispatchSuggestion": S.object([
                "departmentID": S.uuid, "department": S.string, "score": ["type": "number"],
                "because": ["type": "array", "items": S.string],
            ]),
            "DispatchRule": S.object([
                "id": S.uuid, "centerID": S.uuid, "departmentID": S.uuid, "duty": S.string,
                "keywords": ["type": "array", "items": S.string], "itemKinds": ["type": "array", "items": S.string],
                "itemCodes": ["type": "array", "items": S.string], "serviceCode": S.string,
            ]),
            "DispatchRuleInput": S.object(
                [
                    "center": S.string, "departmentID": S.uuid, "duty": S.string, "keywords": ["type": "array", "items": S.string],
                    "itemKinds": ["type": "array", "items": S.string], "itemCodes": ["type": "array", "items": S.string],
                    "serviceCode": S.string,
                ], required: ["departmentID", "duty"]),
        ]
    }()

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "work-orders", access: WorkOrderService.intake,
            operation: .init(
                id: "createWorkOrder",
                summary:
                    "Take in a work order: the hotline and administrators enter phone, walk-in, mailbox and brand-hotline orders, window staff walk-ins; a consultation with `answer` is closed at once",
                tag: "Work orders", request: "WorkOrderInput", response: "WorkOrder", successStatus: 201)
        ) { req in
            let (o, dups) = try await WorkOrderService.create(try req.content.decode(WorkOrderService.Input.self), req: req)
            return try await OrgAPIController.created(WorkOrderDTO(o, viewer: req.principal?.role, now: req.now, duplicates: dups), req)
        }
        api.endpoint(
            .POST, "public", "work-orders", access: .public,
            operation: .init(
                id: "submitWorkOrder",
                summary:
                    "The public web form without signing in: a consultation, complaint, suggestion, request for help, report or praise",
                tag: "Work orders", request: "PublicWorkOrderInput", response: "TrackedWorkOrder", successStatus: 201)
        ) { req in
            let input = try req.content.decode(WorkOrderService.Input.self).publicOnly
            let (o, _) = try await WorkOrderService.create(input, channel: .web, req: req)
            return try await OrgAPIController.created(publicReceipt(o), req)
        }
        api.endpoint(
            .GET, "work-orders", ":id", "suggestions", access: WorkOrderService.dispatchers,
            operation: .init(
                id: "suggestDispatch",
                summary: "The departments suggested for an order, from the dispatch directory and the catalog, best first",
                tag: "Work orders", response: "DispatchSuggestion", responseIsList: true)
        ) { req in
            let o = try await WorkOrderService.visible(req.uuid("id"), req: req)
            return try await DispatchService.suggest(text: o.title + " " + o.text, center: o.centerID, itemID: o.itemID, req: req)
        }
        api.endpoint(
            .GET, "dispatch-rules", access: WorkOrderService.dispatchers,
            operation: .init(
                id: "listDispatchRules", summary: "The dispatch directory of the caller's scope", tag: "Work orders",
                response: "DispatchRule",
                responseIsList: true)
        ) { req in
            let scope = try await req.scope()
            return try await DispatchRuleModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).sort(\.$duty).all()
                .map(DispatchService.RuleDTO.init)
        }
        api.endpoint(
            .POST, "dispatch-rules", access: .admins,
            operation: .init(
                id: "createDispatchRule",
                summary: "Add a duty to the dispatch directory: a department with its keywords, item types and codes",
                tag: "Work orders", request: "DispatchRuleInput", response: "DispatchRule", successStatus: 201)
        ) { req in
            let m = try await DispatchService.create(try req.content.decode(DispatchService.RuleInput.self), req: req)
            return try await OrgAPIController.created(DispatchService.RuleDTO(m), req)
        }
        api.endpoint(
            .DELETE, "dispatch-rules", ":id", access: .admins,
            operation: .init(
                id: "deleteDispatchRule", summary: "Remove a duty from the dispatch directory", tag: "Work orders", successStatus: 204)
        ) { req -> HTTPStatus in
            try await DispatchService.delete(req.uuid("id"), req: req)
            return .noContent
        }
        api.endpoint(
            .GET, "work-orders", access: WorkOrderService.viewers,
            operation: .init(
                id: "listWorkOrders",
                summary: "Work orders of the caller's scope; a chief representative's are their department's, by time left",
                tag: "Work orders", response: "WorkOrder", responseIsList: true,
                query: [
                    .init(name: "state", type: "string", description: "received, dispatched, returned, handling, replied, closed, merged"),
                    .init(name: "kind", type: "string", description: "consultation, complaint, suggestion, help, report, praise"),
                    .init(name: "department", type: "string", format: "uuid", description: "the lead department"),
                    .init(name: "overdue", type: "boolean", description: "only running orders past their limit"),
                    .init(name: "number", type: "string", description: "one order by its number"),
                    .init(name: "limit", type: "integer", description: "at most this many (1–500, default 100)"),
                ])
        ) { req in
            let f = try filter(req)
            let role = req.principal?.role
            return try await WorkOrderService.list(f, req: req).map { WorkOrderDTO($0, viewer: role, now: req.now) }
        }
        api.endpoint(
            .GET, "work-orders", ":id", access: WorkOrderService.viewers,
            operation: .init(id: "getWorkOrder", summary: "A work order with its full history", tag: "Work orders", response: "WorkOrder")
        ) { req in
            let o = try await WorkOrderService.visible(req.uuid("id"), req: req)
            return WorkOrderDTO(o, viewer: req.principal?.role, now: req.now, history: try await WorkOrderService.history(o, on: req.db))
        }
        let steps: [(WorkOrderFlow.Step, String, String, Access)] = [
            (
                .dispatch, "dispatchWorkOrder",
                "Dispatch to a lead department (and co-departments), or after a return re-dispatch or overrule it",
                WorkOrderService.dispatchers
            ),
            (.sign, "signWorkOrder", "签收: the lead department signs for a dispatched order", WorkOrderService.handlers),
            (.giveBack, "returnWorkOrder", "退单: the lead department returns a dispatched order with its reason", WorkOrderService.handlers),
            (.reply, "replyWorkOrder", "The department's reply to the caller: what was found, what was done", WorkOrderService.handlers),
            (
                .callBack, "recordWorkOrderCallback",
                "回访: the caller's satisfaction and whether it was solved; dissatisfied or unsolved reopens it", WorkOrderService.dispatchers
            ),
            (.reopen, "reopenWorkOrder", "重办: back to the same department with its limit from now", WorkOrderService.dispatchers),
            (.merge, "mergeWorkOrders", "并单: merge this order into another, whose handling it shares", WorkOrderService.dispatchers),
            (
                .extend, "extendWorkOrder", "Extend the limit by hours or working days (the limit's own unit) with a reason",
                WorkOrderService.dispatchers
            ),
            (.judge, "judgeComplaint", "A supervisor marks a complaint valid (有效投诉) or not, with the reason", Access.only(.supervisor)),
        ]
        for (step, id, summary, access) in steps {
            api.endpoint(
                .POST, "work-orders", ":id", PathComponent(stringLiteral: step.rawValue.replacingOccurrences(of: "_", with: "-")),
                access: access,
                operation: .init(id: id, summary: summary, tag: "Work orders", request: "WorkOrderStep", response: "WorkOrder")
            ) { req in
                let input = try req.content.decode(WorkOrderService.Step.self)
                let o = try await WorkOrderService.act(step, req.uuid("id"), input, req: req)
                return WorkOrderDTO(
                    o, viewer: req.principal?.role, now: req.now, history: try await WorkOrderService.history(o, on: req.db))
            }
        }
        api.endpoint(
            .POST, "work-orders", "track", access: .public,
            operation: .init(
                id: "trackWorkOrder", summary: "Track an order by its number and the last 4 digits of the caller's phone",
                tag: "Work orders", request: "WorkOrderTrackInput", response: "TrackedWorkOrder")
        ) { req in
            struct In: Content { var orderNumber: String?; var phoneTail: String? }
            let input = try req.content.decode(In.self)
            return try await track(number: input.orderNumber, tail: input.phoneTail, req: req)
        }
    }

    static func publicReceipt(_ o: WorkOrderModel) -> TrackedWorkOrderDTO {
        TrackedWorkOrderDTO(
            number: o.number, kind: o.kind, state: o.state, receivedAt: WorkOrderDTO.date(o.receivedAt)!,
            repliedAt: WorkOrderDTO.date(o.repliedAt), reply: o.reply, closed: o.stateValue == .closed)
    }

    static func filter(_ req: Request) throws -> WorkOrderService.Filter {
        var f = WorkOrderService.Filter()
        var v = Validator()
        if let s = req.query[String.self, at: "state"], !s.isEmpty { f.state = v.oneOf("state", s, as: WorkOrderState.self) }
        if let k = req.query[String.self, at: "kind"], !k.isEmpty { f.kind = v.oneOf("kind", k, as: WorkOrderKind.self) }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        f.department = req.query[UUID.self, at: "department"]
        f.overdue = req.query[Bool.self, at: "overdue"] == true
        f.number = (req.query[String.self, at: "number"] ?? "").trimmingCharacters(in: .whitespaces)
        f.limit = req.query[Int.self, at: "limit"] ?? 100
        return f
    }

    /// Tracking, limited by failed look-ups like the case tracker: per number (whoever asks) and
    /// per client. A merged order shows its primary's reply.
    static func track(number raw: String?, tail raw2: String?, req: Request) async throws -> TrackedWorkOrderDTO {
        let number = (raw ?? "").uppercased().trimmingCharacters(in: .whitespaces)
        let tail = (raw2 ?? "").trimmingCharacters(in: .whitespaces)
        var v = Validator()
        v.check(!number.isEmpty, "orderNumber", "required")
        v.check(tail.count == 4 && tail.allSatisfy(\.isNumber), "phoneTail", "workOrder.phoneTail")
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let o = try await req.limitedLookup("order:" + number, notFound: "workOrder.trackNotFound") {
            () async throws -> WorkOrderModel? in
            guard let o = try await WorkOrderModel.query(on: req.db).filter(\.$number == number).first(),
                let phone = o.callerPhone, phone.hasSuffix(tail)
            else { return nil }
            return o
        }
        if let p = o.mergedInto, let primary = try await WorkOrderModel.find(p, on: req.db) {
            var r = publicReceipt(o)
            r.reply = primary.reply
            r.repliedAt = WorkOrderDTO.date(primary.repliedAt)
            return r
        }
        return publicReceipt(o)
    }
}

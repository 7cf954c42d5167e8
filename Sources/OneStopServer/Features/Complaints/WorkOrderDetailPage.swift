import Fluent
import Foundation
import OneStopCore
import Vapor

/// A work order's page (issue 20): its facts, the caller as the viewer may see them, the form for
/// each next step the viewer may take, its attachments and its full history.
extension WorkOrderPages {
    struct DetailView: Encodable {
        var o: WorkOrderDTO
        var kind: String
        var channel: String
        var urgency: String
        var stateLabel: String
        var department: String
        var coDepartments: String
        var window: String
        var received: String
        var dispatched: String
        var signDue: String
        var due: String
        var replied: String
        var calledBack: String
        var satisfaction: String
        var caller: String
        var history: [Step]
        var suggestions: [FormView.Option]
        var departments: [FormView.Option]
        var duplicates: [Earlier]
        var canDispatch: Bool
        var canSign: Bool
        var canReply: Bool
        var canCallBack: Bool
        var canReopen: Bool
        var canMerge: Bool
        var canExtend: Bool
        var canJudge: Bool
        var extendUnit: String
        var satisfactions: [FormView.Option]
        var errors: [String]
        var attachments: [Attachment]
        var canAttach: Bool
    }

    struct Attachment: Encodable {
        var href: String
        var filename: String
        var size: String
        var added: String
    }

    struct Step: Encodable {
        var at: String
        var actor: String
        var action: String
        var department: String
        var outcome: String
        var note: String
    }

    static func detail(_ req: Request, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let o = try await WorkOrderService.visible(try req.uuid("id"), req: req)
        let history = try await WorkOrderService.history(o, on: req.db)
        let dto = WorkOrderDTO(o, viewer: p.role, now: req.now, history: history)
        var ids = o.coDepartmentIDs + history.compactMap(\.departmentID)
        if let d = o.departmentID { ids.append(d) }
        let flow = o.flow
        let dispatcher = WorkOrderService.dispatchers.admits(p.role)
        let lead = p.role == .chiefRepresentative && p.departmentID != nil && p.departmentID == o.departmentID
        let canDispatch = dispatcher && flow.refusal(.dispatch) == nil
        var suggestions: [FormView.Option] = []
        var departments: [FormView.Option] = []
        if canDispatch {
            let ranked = try await DispatchService.suggest(text: o.title + " " + o.text, center: o.centerID, itemID: o.itemID, req: req)
            suggestions = ranked.enumerated().map { i, s in
                .init(value: s.departmentID.uuidString, label: s.department, selected: i == 0, hint: s.because.joined(separator: "、"))
            }
            let scope = try await req.scope()
            let all = try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).sort(\.$name).all()
            let first = ranked.first?.departmentID ?? o.departmentID
            departments = all.map { .init(value: $0.id!.uuidString, label: $0.name, selected: $0.id == first) }
        }
        let names = try await departmentNames(ids, on: req.db)
        let canMerge = dispatcher && flow.refusal(.merge) == nil
        let duplicates =
            canMerge
            ? try await WorkOrderService.duplicates(of: o, on: req.db).filter { $0.id != o.id && $0.mergedInto == nil }.map {
                Earlier(
                    id: $0.id!.uuidString, number: $0.number, title: $0.title, state: req.t("workOrder.state.\($0.state)"),
                    received: time($0.receivedAt))
            } : []
        let window = try await o.windowID.asyncMap { try await WindowModel.find($0, on: req.db) } ?? nil
        let caller: String
        if dto.callerHidden {
            caller = req.t(o.anonymous ? "workOrder.anonymousCaller" : "workOrder.callerHidden")
        } else {
            caller = [dto.callerName ?? "", dto.callerPhone ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        }
        let limit = WorkOrderLimit(o.limitText)
        let view = DetailView(
            o: dto, kind: req.t("workOrder.kind.\(o.kind)"), channel: req.t("workOrder.channel.\(o.channel)"),
            urgency: req.t("workOrder.urgency.\(o.urgency)"), stateLabel: req.t("workOrder.state.\(o.state)"),
            department: o.departmentID.flatMap { names[$0] } ?? "",
            coDepartments: o.coDepartmentIDs.compactMap { names[$0] }.joined(separator: "、"),
            window: window.map { req.t("queue.windowNumber", "n", String($0.number)) + " " + $0.name } ?? "",
            received: time(o.receivedAt), dispatched: time(o.dispatchedAt), signDue: time(o.signDueAt), due: time(o.dueAt),
            replied: time(o.repliedAt), calledBack: time(o.calledBackAt),
            satisfaction: o.satisfaction.map {
                req.t("workOrder.satisfaction.\($0)") + " · " + req.t(o.solved == true ? "workOrder.solved" : "workOrder.unsolved")
            } ?? "",
            caller: caller,
            history: history.map {
                Step(
                    at: time($0.at),
                    actor: $0.actor.hasPrefix("user:")
                        ? String($0.actor.dropFirst(5)) : req.t($0.actor == "system" ? "workOrder.system" : "workOrder.public"),
                    action: req.t("workOrder.action.\($0.action)"), department: $0.departmentID.flatMap { names[$0] } ?? "",
                    outcome: $0.outcome.isEmpty
                        ? "" : $0.outcome.split(separator: ",").map { req.t("workOrder.outcome.\($0)") }.joined(separator: " · "),
                    note: $0.note)
            },
            suggestions: suggestions, departments: departments, duplicates: duplicates, canDispatch: canDispatch,
            canSign: lead && flow.refusal(.sign) == nil, canReply: lead && flow.refusal(.reply) == nil,
            canCallBack: dispatcher && flow.refusal(.callBack) == nil, canReopen: dispatcher && flow.refusal(.reopen) == nil,
            canMerge: canMerge && !duplicates.isEmpty, canExtend: dispatcher && flow.refusal(.extend) == nil,
            canJudge: p.role == .supervisor && flow.refusal(.judge) == nil,
            extendUnit: req.t(
                limit.map { if case .hours = $0 { "workOrder.unit.hours" } else { "workOrder.unit.days" } } ?? "workOrder.unit.days"),
            satisfactions: WorkOrderSatisfaction.allCases.map {
                .init(value: $0.rawValue, label: req.t("workOrder.satisfaction.\($0.rawValue)"), selected: $0 == .satisfied)
            },
            errors: errors,
            attachments: try await WorkOrderAttachments.list(o.requireID(), on: req.db).map { a in
                Attachment(
                    href: "/work-orders/\(o.id!)/attachments/\(a.id!)", filename: a.filename,
                    size: a.size < 1024 ? "\(a.size) B" : String(format: "%.1f KB", Double(a.size) / 1024),
                    added: time(a.addedAt) + " · " + a.addedBy)
            }, canAttach: o.stateValue != .closed && o.stateValue != .merged)
        return try await req.page("work-orders/detail", title: req.t("workOrder.title", "number", o.number), view, status: status)
    }
}

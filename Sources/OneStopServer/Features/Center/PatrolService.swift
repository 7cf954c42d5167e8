import Fluent
import Foundation
import OneStopCore
import Vapor

/// 巡查 (issue 23): the leader on duty walks the hall at least `patrolsPerDay` times a day and
/// records what each window looked like; a finding becomes a task for the window's department,
/// due a number of working days later on the center's calendar, and is closed with what was done.
/// A working day that ends with fewer patrols than required is flagged.
enum PatrolService {
    /// Who reads the patrols and their findings.
    static let readers = Access.only(.centerAdmin, .supervisor, .chiefRepresentative)
    /// Who may record one: the roles a leader on duty holds; the rota decides the person.
    static let recorders = Access.only(.centerAdmin, .supervisor)
    /// Who closes a finding: its department's chief representative, or the center.
    static let closers = Access.only(.centerAdmin, .chiefRepresentative)

    struct ObservationInput: Content {
        var windowID: UUID?
        var present: Bool?
        var tidy: Bool?
        var badge: Bool?
        var queue: Bool?
        var note: String?
    }

    struct FindingInput: Content {
        var windowID: UUID?
        var text: String?
        /// Working days to correct it; 3 unless given.
        var days: Int?
        /// A banned phrase of the center's 文明用语规范 that was heard.
        var phrase: String?
    }

    struct Input: Content {
        var observations: [ObservationInput]?
        var problems: [FindingInput]?
        var note: String?
    }

    /// A photo sent with a page's form, for the finding at its index.
    struct Upload {
        var finding: Int
        var contentType: String
        var data: Data
    }

    struct Observation: Content {
        var windowID: UUID
        var window: String
        var present: Bool
        var tidy: Bool
        var badge: Bool
        var queue: Bool
        var note: String
    }

    struct Finding: Content {
        var id: UUID
        var patrolID: UUID
        var windowID: UUID?
        var window: String?
        var departmentID: UUID?
        var department: String?
        var text: String
        var phrase: String?
        var due: String
        var overdue: Bool
        var photos: [String]
        /// What was done (整改情况), once closed.
        var rectification: String?
        var closedBy: String?
        var closedAt: Date?
    }

    struct Patrol: Content {
        var id: UUID
        var day: String
        var at: Date
        var recordedBy: String
        var observations: [Observation]
        var note: String
        var findings: [Finding]
    }

    struct Day: Content {
        var day: String
        var working: Bool
        var required: Int
        var recorded: Int
        /// DutyRules.DayStatus
        var status: String
        var leader: String?
    }

    struct Listing: Content {
        var centerID: UUID
        var from: String
        var to: String
        var days: [Day]
        var patrols: [Patrol]
    }

    static func photoPath(_ id: UUID) -> String { "/api/v1/patrol-photos/\(id.uuidString.lowercased())" }

    /// Records a patrol by the leader on duty today.
    static func record(_ center: UUID, _ input: Input, uploads: [Upload] = [], req: Request) async throws -> Patrol {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        let today = HallClock.day(req.now)
        let duty = try await DutyService.onDuty(center, day: today, req: req)
        guard duty.leader?.userID == p.id else { throw Abort(.forbidden, reason: req.t("patrol.notOnDuty")) }
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).all()
        var byID: [UUID: WindowModel] = [:]
        for w in windows { byID[w.id!] = w }
        var v = Validator()
        var observations: [DutyRules.Observation] = []
        var seen = Set<UUID>()
        guard (input.observations ?? []).count <= 500, (input.problems ?? []).count <= 20 else {
            throw ValidationFailure([FieldError((input.problems ?? []).count > 20 ? "problems" : "observations", "tooLong")])
        }
        for (i, o) in (input.observations ?? []).enumerated() {
            guard let id = o.windowID, byID[id] != nil else {
                v.add("observations.\(i).windowID", o.windowID == nil ? "required" : "invalidReference")
                continue
            }
            if !seen.insert(id).inserted { v.add("observations.\(i).windowID", "duty.duplicate") }
            let note = v.text("observations.\(i).note", o.note, max: 500, required: false)
            observations.append(
                .init(
                    windowID: id, present: o.present ?? false, tidy: o.tidy ?? false, badge: o.badge ?? false, queue: o.queue ?? false,
                    note: note))
        }
        let cal = try await req.application.calendars.calendar(for: center, on: req.db)
        var findings: [(window: UUID?, text: String, due: CivilDate, index: Int, phrase: String?)] = []
        for (i, f) in (input.problems ?? []).enumerated() {
            let text = (f.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty && f.windowID == nil && !uploads.contains(where: { $0.finding == i }) { continue }
            if text.isEmpty { v.add("problems.\(i).text", "required") }
            if text.count > 1000 { v.add("problems.\(i).text", "tooLong") }
            if let w = f.windowID, byID[w] == nil { v.add("problems.\(i).windowID", "invalidReference") }
            let days = f.days ?? DutyRules.defaultCorrectionDays
            if !(1...30).contains(days) { v.add("problems.\(i).days", "patrol.daysRange") }
            let clamped = max(1, min(days, 30))
            let due = cal.addWorkingDays(clamped, to: today) ?? today.adding(days: clamped)
            let phrase = try await HallRulesService.cited(f.phrase, center: center, field: "problems.\(i).phrase", on: req.db, &v)
            findings.append((f.windowID, text, due, i, phrase))
        }
        if findings.count > 20 { v.add("problems", "tooLong") }
        let note = v.text("note", input.note, max: 1000, required: false)
        if observations.isEmpty && findings.isEmpty && note.isEmpty { v.add("observations", "patrol.empty") }
        guard v.errors.isEmpty else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let patrol = PatrolModel()
        patrol.id = UUID.timeOrdered()
        patrol.centerID = center
        patrol.day = today.description
        patrol.at = millis
        patrol.userID = p.id
        patrol.recordedBy = p.displayName
        patrol.observationsValue = observations
        patrol.note = note
        var photos: [PatrolPhotoModel] = []
        let rows = findings.map { f -> PatrolFindingModel in
            let m = PatrolFindingModel()
            m.id = UUID.timeOrdered()
            m.patrolID = patrol.id!
            m.centerID = center
            m.windowID = f.window
            m.departmentID = f.window.flatMap { byID[$0]?.departmentID }
            m.text = f.text
            m.phrase = f.phrase
            m.due = f.due.description
            for u in uploads where u.finding == f.index {
                let ph = PatrolPhotoModel()
                ph.id = UUID.timeOrdered()
                ph.findingID = m.id!
                ph.centerID = center
                ph.contentType = u.contentType
                ph.data = u.data
                ph.uploadedBy = p.displayName
                ph.uploadedAt = millis
                photos.append(ph)
            }
            return m
        }
        let (stored, observed) = (photos, observations.count)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await patrol.storeNew(on: db)
            for r in rows { try await r.storeNew(on: db) }
            for ph in stored { try await ph.storeNew(on: db) }
            return (
                (),
                [
                    AuditEvent(
                        "patrol.record", "patrol", id: patrol.id, center: center,
                        detail: ["windows": String(observed), "findings": String(rows.count), "photos": String(stored.count)])
                ]
            )
        }
        return try await dtos([patrol], req: req)[0]
    }

    static func close(_ id: UUID, rectification raw: String?, req: Request) async throws -> Finding {
        let p = try req.requirePrincipal()
        guard let f = try await PatrolFindingModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(f.centerID)
        if p.role == .chiefRepresentative && (f.departmentID == nil || f.departmentID != p.departmentID) { throw Abort(.forbidden) }
        let action = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = DutyRules.closeProblems(rectification: action)
        if action.count > 1000 { errors.append(FieldError("rectification", "tooLong")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (CloseOutcome, [AuditEvent]) in
            guard let fresh = try await PatrolFindingModel.find(id, on: db), fresh.closedAt == nil else { return (.alreadyClosed, []) }
            fresh.action = action
            fresh.closedBy = p.displayName
            fresh.closedAt = millis
            try await fresh.storeChanges(on: db)
            return (
                .closed(fresh),
                [
                    AuditEvent(
                        "patrol.close", "patrol_finding", id: id, center: fresh.centerID,
                        detail: ["due": fresh.due, "late": String(HallClock.day(req.now).description > fresh.due)])
                ]
            )
        }
        switch outcome {
        case .alreadyClosed: throw Abort(.conflict, reason: req.t("patrol.findingClosed"))
        case .closed(let m): return try await findingDTOs([m], req: req)[0]
        }
    }

    /// A photo's type by its content, as the brand files read it; PNG and JPEG only.
    static func photoType(_ bytes: Data) -> String? {
        BrandFiles.type(of: Array(bytes)).flatMap { $0.hasPrefix("image/") ? $0 : nil }
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "centers", ":id", "patrols", access: recorders,
            operation: .init(
                id: "recordPatrol",
                summary:
                    "The leader on duty today records a patrol (巡查): what each window looked like, and findings that become tasks for the windows' departments with a deadline in working days",
                tag: "Center", request: "PatrolInput", response: "Patrol", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await record(try req.uuid("id"), try req.content.decode(Input.self), req: req), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "patrols", access: readers,
            operation: .init(
                id: "listPatrols",
                summary:
                    "A center's patrols over a span of days, with each day's count against the number required: complete, short (flagged), open (today) or off",
                tag: "Center", response: "PatrolListing",
                query: [
                    .init(name: "from", type: "string", format: "date", description: "first day; default: 13 days before to"),
                    .init(name: "to", type: "string", format: "date", description: "last day; default: today, or 13 days after from"),
                ])
        ) { req in
            let (from, to) = try DutyService.span(req, past: true)
            return try await list(try req.uuid("id"), from: from, to: to, req: req)
        }
        api.endpoint(
            .GET, "centers", ":id", "patrol-findings", access: readers,
            operation: .init(
                id: "listPatrolFindings",
                summary: "The patrols' findings of a center, open ones first; a chief representative sees their department's",
                tag: "Center", response: "PatrolFinding", responseIsList: true,
                query: [.init(name: "open", type: "boolean", description: "true: open only; false: closed only")])
        ) { req in
            try await findings(try req.uuid("id"), open: req.query[Bool.self, at: "open"], req: req)
        }
        api.endpoint(
            .POST, "patrol-findings", ":id", "close", access: closers,
            operation: .init(
                id: "closePatrolFinding", summary: "Closes a patrol finding with what was done to correct it (整改情况, required)",
                tag: "Center",
                request: "PatrolFindingClose", response: "PatrolFinding")
        ) { req in
            struct C: Content { var rectification: String? }
            return try await close(try req.uuid("id"), rectification: try req.content.decode(C.self).rectification, req: req)
        }
        api.endpoint(
            .GET, "patrol-photos", ":id", access: readers,
            operation: .init(id: "getPatrolPhoto", summary: "A photo a patrol finding carries (PNG or JPEG)", tag: "Center")
        ) { req -> Response in
            guard let ph = try await PatrolPhotoModel.find(try req.uuid("id"), on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(ph.centerID)
            let r = Response(status: .ok, body: .init(data: ph.data))
            r.headers.contentType = HTTPMediaType(type: "image", subType: ph.contentType == "image/png" ? "png" : "jpeg")
            r.headers.cacheControl = .init(isPrivate: true)
            return r
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let finding = O.object([
            "id": O.uuid, "patrolID": O.uuid, "windowID": O.optionalUUID, "window": O.optionalString, "departmentID": O.optionalUUID,
            "department": O.optionalString, "text": O.string, "phrase": O.optionalString, "due": O.date, "overdue": O.bool,
            "photos": ["type": "array", "items": O.string], "rectification": O.optionalString, "closedBy": O.optionalString,
            "closedAt": O.optionalDateTime,
        ])
        let patrol = O.object([
            "id": O.uuid, "day": O.date, "at": O.dateTime, "recordedBy": O.string, "note": O.string,
            "observations": [
                "type": "array",
                "items": O.object([
                    "windowID": O.uuid, "window": O.string, "present": O.bool, "tidy": O.bool, "badge": O.bool, "queue": O.bool,
                    "note": O.string,
                ]),
            ],
            "findings": ["type": "array", "items": finding],
        ])
        return [
            "PatrolFinding": finding,
            "Patrol": patrol,
            "PatrolListing": O.object([
                "centerID": O.uuid, "from": O.date, "to": O.date, "patrols": ["type": "array", "items": patrol],
                "days": [
                    "type": "array",
                    "items": O.object([
                        "day": O.date, "working": O.bool, "required": O.integer, "recorded": O.integer,
                        "status": ["type": "string", "enum": ["complete", "short", "open", "off", "upcoming", "unplanned"]],
                        "leader": O.optionalString,
                    ]),
                ],
            ]),
            "PatrolInput": O.object([
                "observations": [
                    "type": "array",
                    "items": O.object(
                        [
                            "windowID": O.uuid, "present": O.bool, "tidy": O.bool, "badge": O.bool, "queue": O.bool, "note": O.string,
                        ], required: ["windowID"]),
                ],
                "problems": [
                    "type": "array",
                    "items": O.object(
                        [
                            "windowID": O.optionalUUID, "text": O.string, "days": ["type": "integer", "minimum": 1, "maximum": 30],
                            "phrase": O.string,
                        ],
                        required: ["text"]),
                ],
                "note": O.string,
            ]),
            "PatrolFindingClose": O.object(["rectification": O.string], required: ["rectification"]),
        ]
    }()
}

import Fluent
import Foundation
import OneStopCore
import Vapor

/// 窗口人员管理 (issue 23): who each department sent to the center (登记备案) and how they were
/// chosen, their training, and the periodic appraisals by the department and the center, which
/// the star rating's leader review shows.
enum WindowStaffService {
    /// Who keeps the register: the center, and a department's chief representative for its own.
    static let keepers = Access.only(.centerAdmin, .chiefRepresentative)
    static let readers = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice)

    struct PostingInput: Content {
        var selection: String?
        var post: String?
        var arrivedOn: String?
        var leftOn: String?
        var remarks: String?
    }

    struct TrainingInput: Content {
        var day: String?
        var course: String?
        var hours: Double?
        var outcome: String?
    }

    struct AppraisalInput: Content {
        var period: String?
        var grade: String?
        var comment: String?
    }

    struct Posting: Content {
        var id: UUID
        var staffID: UUID
        var name: String
        var jobNumber: String
        var departmentID: UUID?
        var department: String?
        var selection: String
        var post: String
        var arrivedOn: String
        var leftOn: String?
        var remarks: String
        var registeredBy: String
        var trainingHours: Double
        var latestGrade: String?
    }

    struct Training: Content {
        var id: UUID
        var day: String
        var course: String
        var hours: Double
        var outcome: String
        var recordedBy: String
    }

    struct Appraisal: Content {
        var id: UUID
        var period: String
        var periodLabel: String
        var appraiser: String
        var grade: String
        var comment: String
        var recordedBy: String
    }

    struct Record: Content {
        var staffID: UUID
        var name: String
        var jobNumber: String
        var department: String?
        var postings: [Posting]
        var trainings: [Training]
        var appraisals: [Appraisal]
    }

    /// The member of staff, checked against the viewer: in scope, and a chief representative's
    /// own department's.
    static func staff(_ id: UUID, req: Request, forChange: Bool = false) async throws -> StaffModel {
        let p = try req.requirePrincipal()
        guard let s = try await StaffModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(s.centerID)
        if forChange && p.role == .chiefRepresentative && (s.departmentID == nil || s.departmentID != p.departmentID) {
            throw Abort(.forbidden)
        }
        return s
    }

    static func date(_ raw: String?, _ field: String, required: Bool, _ v: inout OneStopCore.Validator) -> CivilDate? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            if required { v.add(field, "required") }
            return nil
        }
        guard let d = CivilDate(raw) else {
            v.add(field, "date")
            return nil
        }
        return d
    }

    /// Registers a posting, or updates the open one (the day they left closes it).
    static func register(_ staffID: UUID, _ input: PostingInput, req: Request) async throws -> Posting {
        let p = try req.requirePrincipal()
        let s = try await staff(staffID, req: req, forChange: true)
        var v = Validator()
        let selection = StaffRecords.Selection(rawValue: input.selection ?? "")
        if selection == nil { v.add("selection", (input.selection ?? "").isEmpty ? "required" : "invalidChoice") }
        let post = v.text("post", input.post, max: 100, required: false)
        let note = v.text("remarks", input.remarks, max: 1000, required: false)
        let arrived = date(input.arrivedOn, "arrivedOn", required: true, &v)
        let left = date(input.leftOn, "leftOn", required: false, &v)
        for e in StaffRecords.postingProblems(arrived: arrived, left: left, post: post) { v.add(e.field, e.code) }
        guard v.errors.isEmpty, let selection, let arrived else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let id = try await req.audited { db -> (UUID, [AuditEvent]) in
            let open = try await StaffPostingModel.query(on: db).filter(\.$staffID == staffID).filter(\.$leftOn == nil).first()
            let m = open ?? StaffPostingModel()
            if open == nil { m.id = UUID.timeOrdered() }
            m.centerID = s.centerID
            m.staffID = staffID
            m.departmentID = s.departmentID
            m.selection = selection.rawValue
            m.post = post
            m.arrivedOn = arrived.description
            m.leftOn = left?.description
            m.note = note
            m.registeredBy = p.displayName
            m.registeredAt = millis
            try await m.store(on: db)
            return (
                m.id!,
                [
                    AuditEvent(
                        open == nil ? "staff.register" : "staff.posting", "staff", id: staffID, center: s.centerID,
                        detail: ["post": post, "arrivedOn": arrived.description, "leftOn": left?.description ?? ""])
                ]
            )
        }
        return try await postings(s.centerID, staff: staffID, req: req).first { $0.id == id }!
    }

    static func postings(_ center: UUID, staff only: UUID? = nil, req: Request) async throws -> [Posting] {
        let p = try req.requirePrincipal()
        var q = StaffPostingModel.query(on: req.db).filter(\.$centerID == center)
        if let only { q = q.filter(\.$staffID == only) }
        if p.role == .chiefRepresentative { q = q.filter(\.$departmentID == p.departmentID) }
        let rows = try await q.sort(\.$arrivedOn, .descending).all()
        let ids = Array(Set(rows.map(\.staffID)))
        var people: [UUID: StaffModel] = [:]
        if !ids.isEmpty { for s in try await StaffModel.query(on: req.db).filter(\.$id ~~ ids).all() { people[s.id!] = s } }
        let departments = try await DutyService.names([], departments: Set(rows.compactMap(\.departmentID)), on: req.db).departments
        var hours: [UUID: Int] = [:]
        var grades: [UUID: (String, String)] = [:]
        if !ids.isEmpty {
            for t in try await StaffTrainingModel.query(on: req.db).filter(\.$staffID ~~ ids).all() {
                hours[t.staffID, default: 0] += t.hoursTenths
            }
            for a in try await StaffAppraisalModel.query(on: req.db).filter(\.$staffID ~~ ids).all() {
                if (grades[a.staffID]?.0 ?? "") < a.period { grades[a.staffID] = (a.period, a.grade) }
            }
        }
        return rows.map { m in
            Posting(
                id: m.id!, staffID: m.staffID, name: people[m.staffID]?.name ?? "", jobNumber: people[m.staffID]?.jobNumber ?? "",
                departmentID: m.departmentID, department: m.departmentID.flatMap { departments[$0] }, selection: m.selection, post: m.post,
                arrivedOn: m.arrivedOn, leftOn: m.leftOn, remarks: m.note, registeredBy: m.registeredBy,
                trainingHours: Double(hours[m.staffID] ?? 0) / 10, latestGrade: grades[m.staffID]?.1)
        }
    }

    static func recordTraining(_ staffID: UUID, _ input: TrainingInput, req: Request) async throws -> Training {
        let p = try req.requirePrincipal()
        let s = try await staff(staffID, req: req, forChange: true)
        var v = Validator()
        let course = v.text("course", input.course, max: 200, required: false)
        let outcome = v.text("outcome", input.outcome, max: 200, required: false)
        let day = date(input.day, "day", required: true, &v)
        let tenths = input.hours.map(StaffRecords.tenths(hours:))
        for e in StaffRecords.trainingProblems(course: course, hoursTenths: tenths, day: day, today: HallClock.day(req.now)) {
            v.add(e.field, e.code)
        }
        guard v.errors.isEmpty, let day, let tenths else { throw ValidationFailure(v.errors) }
        let m = StaffTrainingModel()
        m.id = UUID.timeOrdered()
        m.centerID = s.centerID
        m.staffID = staffID
        m.day = day.description
        m.course = course
        m.hoursTenths = tenths
        m.result = outcome
        m.recordedBy = p.displayName
        m.recordedAt = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "staff.training", "staff", id: staffID, center: s.centerID,
                        detail: ["course": course, "hours": StaffRecords.hoursText(tenths)])
                ]
            )
        }
        return training(m)
    }

    static func training(_ m: StaffTrainingModel) -> Training {
        Training(id: m.id!, day: m.day, course: m.course, hours: Double(m.hoursTenths) / 10, outcome: m.result, recordedBy: m.recordedBy)
    }

    enum AppraiseOutcome {
        case done(StaffAppraisalModel)
        case already
    }

    static func recordAppraisal(_ staffID: UUID, _ input: AppraisalInput, req: Request) async throws -> Appraisal {
        let p = try req.requirePrincipal()
        let s = try await staff(staffID, req: req, forChange: true)
        var v = Validator()
        let period = EvaluationPeriod(key: input.period ?? "")
        if period == nil || ![.quarter, .halfYear, .year].contains(period!.kind) {
            v.add("period", (input.period ?? "").isEmpty ? "required" : "staff.period")
        }
        let grade = StaffRecords.Grade(rawValue: input.grade ?? "")
        if grade == nil { v.add("grade", (input.grade ?? "").isEmpty ? "required" : "invalidChoice") }
        let comment = v.text("comment", input.comment, max: 1000, required: false)
        if let period, period.first > HallClock.day(req.now) { v.add("period", "staff.future") }
        guard v.errors.isEmpty, let period, let grade else { throw ValidationFailure(v.errors) }
        let appraiser: StaffRecords.Appraiser = p.role == .chiefRepresentative ? .department : .center
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (AppraiseOutcome, [AuditEvent]) in
            if try await StaffAppraisalModel.query(on: db).filter(\.$staffID == staffID).filter(\.$period == period.description)
                .filter(\.$appraiser == appraiser.rawValue).first() != nil
            {
                return (.already, [])
            }
            let m = StaffAppraisalModel()
            m.id = UUID.timeOrdered()
            m.centerID = s.centerID
            m.staffID = staffID
            m.period = period.description
            m.appraiser = appraiser.rawValue
            m.grade = grade.rawValue
            m.comment = comment
            m.recordedBy = p.displayName
            m.recordedAt = millis
            try await m.storeNew(on: db)
            return (
                .done(m),
                [
                    AuditEvent(
                        "staff.appraisal", "staff", id: staffID, center: s.centerID,
                        detail: ["period": period.description, "appraiser": appraiser.rawValue, "grade": grade.rawValue])
                ]
            )
        }
        switch outcome {
        case .already: throw Abort(.conflict, reason: req.t("staff.appraised"))
        case .done(let m): return appraisal(m)
        }
    }

    static func appraisal(_ m: StaffAppraisalModel) -> Appraisal {
        Appraisal(
            id: m.id!, period: m.period, periodLabel: EvaluationPeriod(key: m.period)?.label ?? m.period, appraiser: m.appraiser,
            grade: m.grade, comment: m.comment, recordedBy: m.recordedBy)
    }

    /// One member of staff's record: postings, training, appraisals.
    static func record(_ staffID: UUID, req: Request) async throws -> Record {
        let s = try await staff(staffID, req: req)
        let p = try req.requirePrincipal()
        if p.role == .chiefRepresentative && s.departmentID != p.departmentID { throw Abort(.forbidden) }
        var department: String?
        if let d = s.departmentID { department = try await DepartmentModel.find(d, on: req.db)?.name }
        return Record(
            staffID: staffID, name: s.name, jobNumber: s.jobNumber, department: department,
            postings: try await postings(s.centerID, staff: staffID, req: req),
            trainings: try await StaffTrainingModel.query(on: req.db).filter(\.$staffID == staffID).sort(\.$day, .descending).all()
                .map(training),
            appraisals: try await StaffAppraisalModel.query(on: req.db).filter(\.$staffID == staffID).sort(\.$period, .descending).all()
                .map(appraisal))
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "staff", ":id", "postings", access: keepers,
            operation: .init(
                id: "registerWindowStaff",
                summary:
                    "Registers who a department sent to the center (窗口人员登记备案): how they were chosen, their post, the day they arrived; the same call with leftOn closes the open posting",
                tag: "Center", request: "StaffPostingInput", response: "StaffPosting", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await register(try req.uuid("id"), try req.content.decode(PostingInput.self), req: req), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "window-staff", access: readers,
            operation: .init(
                id: "listWindowStaff",
                summary:
                    "The register of window staff of a center, with their training hours and latest appraisal; a chief representative sees their department's",
                tag: "Center", response: "StaffPosting", responseIsList: true)
        ) { req in
            let center = try req.uuid("id")
            try await req.scope().require(center)
            return try await postings(center, req: req)
        }
        api.endpoint(
            .GET, "staff", ":id", "record", access: readers,
            operation: .init(
                id: "getStaffRecord", summary: "A member of staff's postings, training and appraisals", tag: "Center",
                response: "StaffRecord")
        ) { req in try await record(try req.uuid("id"), req: req) }
        api.endpoint(
            .POST, "staff", ":id", "trainings", access: keepers,
            operation: .init(
                id: "recordTraining", summary: "Records a course a member of staff took: the day, the course, the hours, the result",
                tag: "Center", request: "StaffTrainingInput", response: "StaffTraining", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await recordTraining(try req.uuid("id"), try req.content.decode(TrainingInput.self), req: req), req)
        }
        api.endpoint(
            .POST, "staff", ":id", "appraisals", access: keepers,
            operation: .init(
                id: "recordAppraisal",
                summary:
                    "Records a periodic appraisal (定期考评) of a member of staff for a quarter, half-year or year: by the department when its chief representative records it, else by the center; once each",
                tag: "Center", request: "StaffAppraisalInput", response: "StaffAppraisal", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await recordAppraisal(try req.uuid("id"), try req.content.decode(AppraisalInput.self), req: req), req)
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let posting = O.object([
            "id": O.uuid, "staffID": O.uuid, "name": O.string, "jobNumber": O.string, "departmentID": O.optionalUUID,
            "department": O.optionalString, "selection": O.string, "post": O.string, "arrivedOn": O.date,
            "leftOn": ["type": ["string", "null"], "format": "date"], "remarks": O.string, "registeredBy": O.string,
            "trainingHours": ["type": "number"], "latestGrade": O.optionalString,
        ])
        let training = O.object([
            "id": O.uuid, "day": O.date, "course": O.string, "hours": ["type": "number"], "outcome": O.string, "recordedBy": O.string,
        ])
        let appraisal = O.object([
            "id": O.uuid, "period": O.string, "periodLabel": O.string, "appraiser": ["type": "string", "enum": ["department", "center"]],
            "grade": O.string, "comment": O.string, "recordedBy": O.string,
        ])
        return [
            "StaffPosting": posting, "StaffTraining": training, "StaffAppraisal": appraisal,
            "StaffRecord": O.object([
                "staffID": O.uuid, "name": O.string, "jobNumber": O.string, "department": O.optionalString,
                "postings": ["type": "array", "items": posting], "trainings": ["type": "array", "items": training],
                "appraisals": ["type": "array", "items": appraisal],
            ]),
            "StaffPostingInput": O.object(
                [
                    "selection": ["type": "string", "enum": .array(StaffRecords.Selection.allCases.map { .string($0.rawValue) })],
                    "post": O.string, "arrivedOn": O.date, "leftOn": O.date, "remarks": O.string,
                ], required: ["selection", "post", "arrivedOn"]),
            "StaffTrainingInput": O.object(
                [
                    "day": O.date, "course": O.string, "hours": ["type": "number", "minimum": .number(0.5), "maximum": 200],
                    "outcome": O.string,
                ], required: ["day", "course", "hours"]),
            "StaffAppraisalInput": O.object(
                [
                    "period": ["type": "string", "description": "quarter:2026-Q3, half_year:2026-H2 or year:2026"],
                    "grade": ["type": "string", "enum": .array(StaffRecords.Grade.allCases.map { .string($0.rawValue) })],
                    "comment": O.string,
                ], required: ["period", "grade"]),
        ]
    }()
}

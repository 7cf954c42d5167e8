import Fluent
import Foundation
import OneStopCore
import Vapor

/// 督查 (issue 22): the campaign office records an inspection of a brand — the day, the
/// inspectors, a finding per standard, the problems with a deadline for correction — and
/// publishes its notice (通报), public or internal.
enum BrandInspectionService {
    struct ProblemInput: Content {
        var text: String?
        var deadline: String?
    }

    struct Input: Content {
        var day: String?
        var inspectors: String?
        /// Standard (name, logo, culture, system, benefit) → finding.
        var findings: [String: String]?
        var problems: [ProblemInput]?
    }

    struct DTO: Content {
        var id: UUID
        var brandID: UUID
        var day: String
        var inspectors: String
        var findings: [String: String]
        var problems: [BrandPractice.Problem]
        var recordedBy: String
        var recordedAt: Date
        var noticeID: UUID?
        var noticePath: String?
    }

    static func dto(_ i: BrandInspectionModel) -> DTO {
        DTO(
            id: i.id!, brandID: i.brandID, day: i.day, inspectors: i.inspectors, findings: i.findingsValue, problems: i.problemsValue,
            recordedBy: i.recordedBy, recordedAt: Date(timeIntervalSince1970: Double(i.recordedAt) / 1000), noticeID: i.noticeID,
            noticePath: i.noticeID.map(BrandNotices.path))
    }

    static func record(_ brandID: UUID, _ input: Input, req: Request) async throws -> BrandInspectionModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(brandID, on: req.db)
        try await req.scope().require(b.centerID)
        guard b.stateValue != .cultivating, b.stateValue != .revoked else { throw Abort(.conflict, reason: req.t("brand.notPractising")) }
        let today = HallClock.day(req.now)
        var errors: [FieldError] = []
        let day = input.day.flatMap { $0.isEmpty ? nil : CivilDate($0) }
        if day == nil { errors.append(FieldError("day", (input.day ?? "").isEmpty ? "required" : "date")) }
        var findings: [BrandSelection.Standard: String] = [:]
        for (key, text) in input.findings ?? [:] {
            guard let s = BrandSelection.Standard(rawValue: key) else {
                errors.append(FieldError("findings.\(key)", "invalidChoice"))
                continue
            }
            findings[s] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var problems: [BrandPractice.Problem] = []
        for (i, raw) in (input.problems ?? []).enumerated() {
            let text = (raw.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty && (raw.deadline ?? "").isEmpty { continue }
            guard let deadline = raw.deadline.flatMap(CivilDate.init) else {
                errors.append(FieldError("problems.\(i).deadline", (raw.deadline ?? "").isEmpty ? "required" : "date"))
                continue
            }
            problems.append(.init(text: text, deadline: deadline))
        }
        if problems.count > 20 { errors.append(FieldError("problems", "tooLong")) }
        let inspectors = (input.inspectors ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let day {
            for f in BrandPractice.inspectionProblems(
                day: day, today: today, inspectors: inspectors, findings: findings, problems: problems)
            {
                errors.append(FieldError(f.field, f.code))
            }
        }
        guard errors.isEmpty, let day else { throw ValidationFailure(errors) }
        let i = BrandInspectionModel()
        i.id = UUID.timeOrdered()
        i.brandID = brandID
        i.centerID = b.centerID
        i.day = day.description
        i.inspectors = inspectors
        i.findingsValue = Dictionary(uniqueKeysWithValues: findings.filter { !$0.value.isEmpty }.map { ($0.key.rawValue, $0.value) })
        i.problemsValue = problems
        let problemCount = problems.count
        i.recordedBy = p.displayName
        i.recordedAt = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandInspectionModel, [AuditEvent]) in
            try await i.storeNew(on: db)
            return (
                i,
                [
                    AuditEvent(
                        "brand.inspect", "brand", id: brandID, center: b.centerID,
                        detail: ["day": i.day, "problems": String(problemCount)])
                ]
            )
        }
    }

    /// Publishes the inspection's notice (once): its findings and problems, as recorded.
    static func publish(_ id: UUID, visibility raw: String?, req: Request) async throws -> BrandNoticeModel {
        let p = try req.requirePrincipal()
        guard let i = try await BrandInspectionModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(i.centerID)
        let visibility = raw ?? "public"
        guard ["public", "internal"].contains(visibility) else { throw ValidationFailure([FieldError("visibility", "invalidChoice")]) }
        let b = try await BrandService.find(i.brandID, on: req.db)
        var department = ""
        if let d = b.departmentID { department = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let center = try await CenterModel.find(b.centerID, on: req.db)?.name ?? ""
        let today = HallClock.day(req.now)
        let findings = BrandSelection.Standard.allCases.compactMap { s in
            i.findingsValue[s.rawValue].map { "\(standardLabel(s))：\($0)" }
        }
        let problems = i.problemsValue.map { "\($0.text)（\($0.deadline) 前整改到位）" }
        let body = BrandNotices.Body(
            opening: "\(i.day)，\(i.inspectors)对\(department.isEmpty ? center : department)“\(b.name)”服务品牌创建工作进行了督查。现将有关情况通报如下。",
            sections: [
                .init(heading: "一、督查发现", lines: findings, table: []),
                .init(heading: "二、存在问题及整改要求", lines: problems.isEmpty ? ["未发现需要整改的问题。"] : problems, table: []),
            ],
            closing: problems.isEmpty ? "" : "请对照问题逐项整改，按期报送整改情况。整改情况将纳入年度考核。", issuer: "机关服务品牌创建工作办公室",
            day: today.description)
        let millis = HallClock.millis(req.now)
        let title = "关于“\(b.name)”服务品牌督查情况的通报"
        return try await req.audited { db -> (BrandNoticeModel, [AuditEvent]) in
            guard let fresh = try await BrandInspectionModel.find(id, on: db), fresh.noticeID == nil else {
                throw Abort(.conflict, reason: req.t("brand.noticePublished"))
            }
            let n = try await BrandNotices.publish(
                .inspection, center: i.centerID, brand: b.id, campaign: nil, title: title, body: body, visibility: visibility,
                by: p.displayName, at: millis, on: db)
            fresh.noticeID = n.id
            try await fresh.save(on: db)
            return (
                n,
                [
                    AuditEvent(
                        "brand.notice", "brand_notice", id: n.id, center: i.centerID,
                        detail: ["number": n.number, "kind": n.kind, "visibility": visibility])
                ]
            )
        }
    }

    static func standardLabel(_ s: BrandSelection.Standard) -> String {
        switch s {
        case .name: return "品牌名称"
        case .logo: return "品牌标识"
        case .culture: return "品牌文化"
        case .system: return "服务体系"
        case .benefit: return "社会效益"
        }
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brands", ":id", "inspections", access: BrandService.approvers,
            operation: .init(
                id: "recordInspection",
                summary:
                    "The campaign office records an inspection (督查) of a brand: the day, the inspectors, a finding per standard, and the problems with a deadline for correction",
                tag: "Brands", request: "BrandInspectionInput", response: "BrandInspection", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                dto(try await record(try req.uuid("id"), try req.content.decode(Input.self), req: req)), req)
        }
        api.endpoint(
            .GET, "brands", ":id", "inspections", access: BrandService.staffReaders,
            operation: .init(
                id: "listBrandInspections", summary: "A brand's inspections, the latest first", tag: "Brands",
                response: "BrandInspection", responseIsList: true)
        ) { req in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            try await req.scope().require(b.centerID)
            return try await BrandInspectionModel.query(on: req.db).filter(\.$brandID == b.requireID()).sort(\.$day, .descending)
                .all().map(dto)
        }
        api.endpoint(
            .POST, "brand-inspections", ":id", "notice", access: BrandService.approvers,
            operation: .init(
                id: "publishInspectionNotice",
                summary: "Publishes an inspection's notice (通报), once: printable and never changed; public or internal",
                tag: "Brands", request: "BrandNoticeInput", response: "BrandNotice", successStatus: 201)
        ) { req in
            struct V: Content { var visibility: String? }
            let v = try? req.content.decode(V.self)
            return try await OrgAPIController.created(
                BrandNotices.dto(try await publish(try req.uuid("id"), visibility: v?.visibility, req: req)), req)
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let findings: JSONValue = ["type": "object", "additionalProperties": O.string]
        let problem = O.object(["text": O.string, "deadline": O.string], required: ["text", "deadline"])
        return [
            "BrandInspectionInput": O.object(
                ["day": O.string, "inspectors": O.string, "findings": findings, "problems": ["type": "array", "items": problem]],
                required: ["day", "inspectors", "findings"]),
            "BrandInspection": O.object([
                "id": O.uuid, "brandID": O.uuid, "day": O.string, "inspectors": O.string, "findings": findings,
                "problems": ["type": "array", "items": problem], "recordedBy": O.string, "recordedAt": O.dateTime,
                "noticeID": ["type": ["string", "null"], "format": "uuid"], "noticePath": O.optionalString,
            ]),
            "BrandNoticeInput": O.object(["visibility": ["type": "string", "enum": ["public", "internal"]]]),
        ]
    }()
}

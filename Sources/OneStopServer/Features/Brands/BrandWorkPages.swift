import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/brands/{id}/work` (issue 22): the brand's campaign work for its department and the campaign
/// office. Each form posts to `/brands/{id}/work/<act>` and comes back to the page, with the
/// faults in the user's language and nothing changed when it is refused.
enum BrandWorkPages {
    static let access = Access.only(.centerAdmin, .chiefRepresentative, .campaignOffice, .supervisor, .windowStaff)

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "brands", ":id", "work", access: access) { req in try await page(req, errors: [], form: [:]) }
        post(app, "report") { req, id in
            struct F: Content {
                var week: String?
                var done: String?
                var changes: String?
                var figures: String?
                var photos: [File]?
            }
            let f = try req.content.decode(F.self)
            let uploads = try (f.photos ?? []).filter { $0.data.readableBytes > 0 }.map {
                try BrandFiles.make(id, name: $0.filename, bytes: Array($0.data.readableBytesView), field: "photos", req: req)
            }
            _ = try await BrandReportService.file(
                id, .init(week: f.week, done: f.done, changes: f.changes, figures: f.figures, photos: []), uploads: uploads, req: req)
            return (req.t("brand.reportSaved"), "reports")
        }
        post(app, "inspection") { req, id in
            let f = try req.content.decode([String: String].self)
            var findings: [String: String] = [:]
            for s in BrandSelection.Standard.allCases { findings[s.rawValue] = f["finding_\(s.rawValue)"] ?? "" }
            let problems = (1...3).map { BrandInspectionService.ProblemInput(text: f["problem\($0)"], deadline: f["deadline\($0)"]) }
            _ = try await BrandInspectionService.record(
                id, .init(day: f["day"], inspectors: f["inspectors"], findings: findings, problems: problems), req: req)
            return (req.t("brand.inspectionSaved"), "inspections")
        }
        post(app, "notice", ":inspection") { req, _ in
            let f = try req.content.decode([String: String].self)
            let n = try await BrandInspectionService.publish(try req.uuid("inspection"), visibility: f["visibility"], req: req)
            return (req.t("brand.noticeSaved", ["number": n.number]), "inspections")
        }
        post(app, "declare") { req, id in
            let f = try req.content.decode([String: String].self)
            var assessment: [String: String] = [:]
            for s in BrandSelection.Standard.allCases { assessment[s.rawValue] = f["assess_\(s.rawValue)"] ?? "" }
            _ = try await BrandSelectionService.declare(id, .init(assessment: assessment, requirements: f["requirements"]), req: req)
            return (req.t("brand.declared"), "selection")
        }
        post(app, "experts") { req, id in
            let f = try req.content.decode([String: String].self)
            let ids = f.keys.filter { $0.hasPrefix("expert_") }.compactMap { UUID(uuidString: String($0.dropFirst(7))) }
            _ = try await BrandSelectionService.assign(id, .init(experts: ids), req: req)
            return (req.t("brand.expertsAssigned"), "selection")
        }
        post(app, "survey") { req, id in
            let f = try req.content.decode([String: String].self)
            _ = try await BrandSurveyService.open(id, .init(closesOn: f["closesOn"]), req: req)
            return (req.t("brand.surveyOpened"), "survey")
        }
        post(app, "votes", ":vote") { req, _ in
            let f = try req.content.decode([String: String].self)
            _ = try await BrandSurveyService.exclude(try req.uuid("vote"), reason: f["reason"], req: req)
            return (req.t((f["reason"] ?? "").isEmpty ? "brand.voteIncluded" : "brand.voteExcluded"), "survey")
        }
        post(app, "evidence") { req, id in
            struct F: Content {
                var kind: String?
                var headline: String?
                var day: String?
                var detail: String?
                var file: File?
            }
            let f = try req.content.decode(F.self)
            let upload = try f.file.flatMap { $0.data.readableBytes > 0 ? $0 : nil }.map {
                try BrandFiles.make(id, name: $0.filename, bytes: Array($0.data.readableBytesView), req: req)
            }
            _ = try await BrandEvidenceService.record(
                id, .init(kind: f.kind, headline: f.headline, day: f.day, detail: f.detail), upload: upload, req: req)
            return (req.t("brand.evidenceSaved"), "evidence")
        }
        for (path, state) in [("name", BrandRules.State.named), ("review", .underReview), ("revoke", .revoked)] {
            post(app, "act", .constant(path)) { req, id in
                let f = try req.content.decode([String: String].self)
                let b = try await BrandDecisionService.act(id, to: state, reason: f["reason"], req: req)
                return (req.t("brand.stateNow", ["name": b.name, "state": req.t("brand.state.\(b.state)")]), "acts")
            }
        }
    }

    /// A form's POST: the act, then back to the page at its section; a refusal re-renders the
    /// page with the faults and the form as it was sent.
    static func post(
        _ app: any RoutesBuilder, _ path: PathComponent..., act: @escaping @Sendable (Request, UUID) async throws -> (String, String)
    ) {
        app.endpoint(.POST, ["brands", ":id", "work"] + path, access: access, body: .collect(maxSize: "20mb")) { req -> Response in
            let id = try req.uuid("id")
            do {
                let (message, anchor) = try await act(req, id)
                req.flash(message)
                return req.redirect(to: "/brands/\(id.uuidString.lowercased())/work#\(anchor)")
            } catch let v as ValidationFailure {
                let form = (try? req.content.decode([String: String].self)) ?? [:]
                return try await page(req, errors: BrandManagePages.messages(v, req), form: form, status: .unprocessableEntity)
            } catch let x as any AbortError where x.status == .conflict {
                let form = (try? req.content.decode([String: String].self)) ?? [:]
                return try await page(req, errors: [x.reason], form: form, status: .conflict)
            }
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let b = try await BrandService.find(try req.uuid("id"), on: req.db)
        try await req.scope().require(b.centerID)
        let view = try await BrandWorkView.build(b, req: req, errors: errors, form: form)
        return try await req.page("brands/work", title: req.t("brand.workTitle", ["name": b.name]), view, status: status)
    }
}

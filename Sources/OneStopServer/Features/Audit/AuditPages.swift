import Fluent
import Foundation
import OneStopCore
import Vapor

struct AuditPageView: Encodable {
    var rows: [AuditReadable.Row]
    var filters: [String: String]
    var nextHref: String?
    var verifyResult: String?
    var intact: Bool
}

enum AuditPages {
    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "admin", "audit", access: .adminsAndSupervisors) { req -> Response in
            do {
                return try await render(req, filter: AuditFilter(from: req), verify: nil)
            } catch let v as ValidationFailure {
                req.flash(v.errors.map { req.application.catalog.fieldMessage($0, req.language) }.joined(separator: "；"))
                return req.redirect(to: "/admin/audit")
            }
        }
        r.endpoint(.POST, "admin", "audit", "verify", access: .adminsAndSupervisors) { req -> Response in
            let (checked, problem) = try await AuditVerifier.verify(on: req.db)
            let message =
                problem.map {
                    req.t("audit.broken", ["problem": AuditAPIController.describe($0, catalog: req.application.catalog, req.language)])
                }
                ?? req.t("audit.intact", ["n": String(checked)])
            return try await render(req, filter: AuditFilter(from: req), verify: (message, problem == nil))
        }
    }

    static func render(_ req: Request, filter: AuditFilter, verify: (String, Bool)?) async throws -> Response {
        let page = try await filter.page(for: req.scope(), on: req.db)
        var filters: [String: String] = [:]
        for k in ["action", "entityType", "actor", "from", "to"] { filters[k] = req.query[String.self, at: k] ?? "" }
        var next: String? = nil
        if let before = page.nextBefore {
            var q = filters.filter { !$0.value.isEmpty }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }
            q.append("before=\(before)")
            next = "/admin/audit?" + q.sorted().joined(separator: "&")
        }
        let view = AuditPageView(
            rows: try await AuditReadable.rows(page.entries, req: req), filters: filters, nextHref: next, verifyResult: verify?.0,
            intact: verify?.1 ?? true)
        return try await req.page("audit/list", title: req.t("nav.audit"), view)
    }
}

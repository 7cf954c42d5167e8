import Fluent
import Foundation
import OneStopCore
import Vapor

struct LoginView: Encodable {
    var next: String
    var username: String
    var error: String?
    var expired: Bool
}

enum AuthPages {
    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "login", access: .public) { req -> Response in
            if req.principal?.kind == .user { return req.redirect(to: safeNext(req.query[String.self, at: "next"])) }
            _ = req.csrfToken()
            let expired = req.session.data["expired"] != nil
            req.session.data["expired"] = nil
            return try await req.page(
                "auth/login", title: req.t("login.title"),
                LoginView(next: safeNext(req.query[String.self, at: "next"]), username: "", error: nil, expired: expired))
        }
        r.endpoint(.POST, "login", access: .public) { req -> Response in
            struct Form: Content {
                var username: String?
                var password: String?
                var next: String?
            }
            let form = try req.content.decode(Form.self)
            let username = (form.username ?? "").trimmingCharacters(in: .whitespaces)
            let next = safeNext(form.next)
            func fail(_ key: String, _ status: HTTPResponseStatus) async throws -> Response {
                try await req.page(
                    "auth/login", title: req.t("login.title"),
                    LoginView(next: next, username: username, error: req.t(key), expired: false), status: status)
            }
            guard !username.isEmpty, !(form.password ?? "").isEmpty else { return try await fail("login.missing", .unprocessableEntity) }
            switch try await Authentication.signIn(username: username, password: form.password ?? "", req: req) {
            case .success(let user):
                return try await TwoFactorPages.afterPassword(user, next: next, req: req)
            case .invalid: return try await fail("login.invalid", .unauthorized)
            case .locked: return try await fail("login.locked", .tooManyRequests)
            }
        }
        r.endpoint(.POST, "logout", access: .people) { req -> Response in
            let p = try req.requirePrincipal()
            try await req.audited { _ in ((), [AuditEvent("auth.logout", "user", id: p.id, center: p.centerID, detail: ["via": "web"])]) }
            req.session.destroy()
            return req.redirect(to: "/")
        }
    }

    /// Only a local path may follow sign-in, never another site.
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"), !raw.contains("\n") else { return "/" }
        return raw
    }
}

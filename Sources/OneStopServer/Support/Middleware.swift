import Fluent
import Foundation
import OneStopCore
import Vapor

/// Finds who is calling: a bearer token (API clients and devices) or the session cookie (browsers).
/// A presented but invalid token is refused outright rather than treated as anonymous.
struct PrincipalMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = req.headers.bearerAuthorization {
            guard let p = try await Authentication.principal(forToken: bearer.token, req: req) else {
                throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: req.t("auth.badToken"))
            }
            req.auth.login(p)
        } else if req.hasSession, let p = try await Authentication.principal(forSession: req) {
            req.auth.login(p)
        }
        return try await next.respond(to: req)
    }
}

/// The roles a route admits, checked before its handler runs. A refusal for role says so in a
/// header, which is what the role × route test reads.
struct AccessGuard: AsyncMiddleware {
    let access: Access

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        switch access {
        case .public:
            // A change sent without signing in (a public form), per client address.
            if ![.GET, .HEAD, .OPTIONS].contains(req.method), req.principal == nil {
                switch req.route?.publicLimit ?? .forms {
                case .forms: try req.application.throttles.forms?.admit(req, message: "auth.tooManyForms")
                case .surveyCodes: try req.application.throttles.surveys?.admit(req, message: "auth.tooManyForms")
                case .proven: break
                }
            }
        default:
            guard let p = req.principal else { throw Abort(.unauthorized, reason: req.t("auth.signInFirst")) }
            guard access.admits(p.role) else {
                throw Abort(.forbidden, headers: ["X-OneStop-Denied": "role"], reason: req.t("auth.roleNotAllowed"))
            }
        }
        // What the API's document says of the request, checked before the handler reads it.
        if let operation = req.route?.operation { try await RequestShape.check(req, operation) }
        return try await next.respond(to: req)
    }
}

/// Cookie-authenticated changes must carry the session's CSRF token, as a `_csrf` form field or
/// an `X-CSRF-Token` header. Bearer-token requests carry no ambient credential and are exempt.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let maxFormBytes = 20 * 1024 * 1024

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safe: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        if !safe.contains(req.method), req.headers.bearerAuthorization == nil,
            req.hasSession || req.url.path == "/login"
        {
            let expected = req.hasSession ? req.session.data["csrf"] : nil
            // A long form arrives in several chunks; gather it (up to the largest upload any route
            // takes) so the token can be read. The route's own size check still applies after.
            if req.headers.first(name: "X-CSRF-Token") == nil, req.body.data == nil {
                _ = try await req.body.collect(max: Self.maxFormBytes).get()
            }
            let sent = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: Self.field))
            guard let expected, let sent, constantTimeEqual(expected, sent) else {
                throw Abort(.forbidden, reason: req.t("auth.csrf"))
            }
        }
        return try await next.respond(to: req)
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The session's CSRF token, made on first use.
    func csrfToken() -> String {
        if let t = session.data["csrf"] { return t }
        let t = Digest.randomToken(bytes: 24)
        session.data["csrf"] = t
        return t
    }
}

struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        let h = [
            (
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        for (name, value) in h where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        if req.principal != nil || req.hasSession {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

/// Serves the files under Public/ — but only for paths that start with one of its top-level
/// entries (css/, js/), so that an API call or a page does not cost a file-system lookup.
struct StaticFilesMiddleware: Middleware {
    let files: FileMiddleware
    let roots: Set<Substring>

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: publicDirectory)) ?? []
        roots = Set(names.map { Substring($0) })
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let path = request.url.path.utf8.first == UInt8(ascii: "/") ? request.url.path.dropFirst() : Substring(request.url.path)
        let first = path.prefix { $0 != "/" }
        guard roots.contains(first) else { return next.respond(to: request) }
        return files.respond(to: request, chainingTo: next)
    }
}

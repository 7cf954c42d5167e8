import Fluent
import Foundation
import OneStopCore
import Vapor

/// Finds who is calling: a bearer token (API clients and devices) or the session cookie (browsers).
/// A presented but invalid token is refused outright rather than treated as anonymous.
///
/// The middlewares of every request are future-based, with their async work only where they need
/// it: an `AsyncMiddleware` starts a task of its own for each request, and seven of them cost the
/// hall's benchmark more than its SQL did (see `bench/README.md`, stop 46). A token the cache
/// knows is found without a task.
struct PrincipalMiddleware: Middleware {
    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let bearer = req.headers.bearerAuthorization {
            if let p = Authentication.cachedPrincipal(forToken: bearer.token, req: req) {
                req.auth.login(p)
                return next.respond(to: req)
            }
            return req.eventLoop.makeFutureWithTask {
                guard let p = try await Authentication.principal(forToken: bearer.token, req: req) else {
                    throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: req.t("auth.badToken"))
                }
                req.auth.login(p)
                return try await next.respond(to: req).get()
            }
        }
        guard req.hasSession else { return next.respond(to: req) }
        return req.eventLoop.makeFutureWithTask {
            if let p = try await Authentication.principal(forSession: req) { req.auth.login(p) }
            return try await next.respond(to: req).get()
        }
    }
}

/// The roles a route admits, checked before its handler runs. A refusal for role says so in a
/// header, which is what the role × route test reads.
struct AccessGuard: Middleware {
    let access: Access
    /// The route's operation, kept here rather than read from the route's `userInfo` (a
    /// dictionary look-up and a cast that copies it) on every request.
    let operation: APIOperation?

    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        do {
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
            // What the API's document says of the request, checked before the handler reads it
            // (a body that came in pieces is gathered first).
            if let operation {
                if RequestShape.needsBody(req, operation), req.body.data == nil {
                    return req.body.collect(max: req.application.routes.defaultMaxBodySize.value).flatMap { _ in
                        do {
                            try RequestShape.check(req, operation)
                        } catch {
                            return req.eventLoop.makeFailedFuture(error)
                        }
                        return next.respond(to: req)
                    }
                }
                try RequestShape.check(req, operation)
            }
        } catch {
            return req.eventLoop.makeFailedFuture(error)
        }
        return next.respond(to: req)
    }
}

/// Cookie-authenticated changes must carry the session's CSRF token, as a `_csrf` form field or
/// an `X-CSRF-Token` header. Bearer-token requests carry no ambient credential and are exempt.
struct CSRFMiddleware: Middleware {
    static let field = "_csrf"
    static let maxFormBytes = 20 * 1024 * 1024
    private static let safe: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]

    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard !Self.safe.contains(req.method), req.headers.bearerAuthorization == nil, req.hasSession || req.urlPath == "/login"
        else { return next.respond(to: req) }
        // A long form arrives in several chunks; gather it (up to the largest upload any route
        // takes) so the token can be read. The route's own size check still applies after.
        let gathered: EventLoopFuture<Void> =
            req.headers.first(name: "X-CSRF-Token") == nil && req.body.data == nil
            ? req.body.collect(max: Self.maxFormBytes).map { _ in () } : req.eventLoop.makeSucceededVoidFuture()
        return gathered.flatMap {
            let expected = req.hasSession ? req.session.data["csrf"] : nil
            let sent = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: Self.field))
            guard let expected, let sent, self.constantTimeEqual(expected, sent) else {
                return req.eventLoop.makeFailedFuture(Abort(.forbidden, reason: req.t("auth.csrf")))
            }
            return next.respond(to: req)
        }
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

struct SecurityHeadersMiddleware: Middleware {
    private static let headers = [
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]

    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: req).map { response in
            for (name, value) in Self.headers where !response.headers.contains(name: name) {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            if req.principal != nil || req.hasSession {
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            }
            return response
        }
    }
}

/// Serves the files under Public/ — but only for a request no route took whose path starts with
/// one of its top-level entries (css/, js/), so that an API call or a page costs neither a
/// file-system lookup nor reading its path.
struct StaticFilesMiddleware: Middleware {
    let files: FileMiddleware
    let roots: Set<Substring>

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: publicDirectory)) ?? []
        roots = Set(names.map { Substring($0) })
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // Vapor finds the route before the middlewares run; no route serves a file.
        guard request.route == nil else { return next.respond(to: request) }
        let full = request.urlPath
        let path = full.utf8.first == UInt8(ascii: "/") ? full.dropFirst() : Substring(full)
        let first = path.prefix { $0 != "/" }
        guard roots.contains(first) else { return next.respond(to: request) }
        return files.respond(to: request, chainingTo: next)
    }
}

import Fluent
import Foundation
import OneStopCore
import Vapor

struct LoginInput: Content {
    var username: String?
    var password: String?
}

struct TokenDTO: Content {
    var token: String
    var tokenType: String
    var expiresAt: Date
    var user: UserDTO
}

enum AuthAPIController {
    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "auth", "login", access: .public,
            operation: .init(
                id: "login", summary: "Exchange a username and password for a bearer token", tag: "Auth", request: "LoginInput",
                response: "Token")
        ) { req in
            let input = try req.content.decode(LoginInput.self)
            var v = Validator()
            let username = v.text("username", input.username, max: 40)
            if (input.password ?? "").isEmpty { v.add("password", "required") }
            guard v.isValid else { throw ValidationFailure(v.errors) }
            switch try await Authentication.signIn(username: username, password: input.password ?? "", req: req) {
            case .success(let user):
                let (token, expires) = try await Authentication.issueAPIToken(for: user, req: req)
                return TokenDTO(token: token, tokenType: "Bearer", expiresAt: expires, user: UserDTO(user, now: req.now))
            case .invalid:
                throw Abort(.unauthorized, reason: req.t("login.invalid"))
            case .locked(let until):
                throw Abort(
                    .tooManyRequests, headers: ["Retry-After": String(Int(until.timeIntervalSince(req.now).rounded(.up)))],
                    reason: req.t("login.locked"))
            }
        }
        api.endpoint(
            .POST, "auth", "logout", access: .people,
            operation: .init(id: "logout", summary: "Revoke the bearer token used for this request", tag: "Auth", successStatus: 204)
        ) { req in
            let p = try req.requirePrincipal()
            if let bearer = req.headers.bearerAuthorization {
                let hash = Digest.sha256Hex(bearer.token)
                try await req.audited { db in
                    try await APITokenModel.query(on: db).filter(\.$tokenHash == hash).delete()
                    return ((), [AuditEvent("auth.logout", "user", id: p.id, center: p.centerID, detail: ["via": "api"])])
                }
            }
            return HTTPStatus.noContent
        }
    }
}

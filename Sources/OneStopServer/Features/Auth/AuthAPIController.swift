import Fluent
import Foundation
import OneStopCore
import Vapor

struct LoginInput: Content {
    var username: String?
    var password: String?
    /// For an account with two-step verification: the app's code, or a recovery code.
    var otp: String?
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
                try await secondFactor(user, otp: input.otp, req: req)
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
            .POST, "users", ":id", "two-factor-reset", access: .admins,
            operation: .init(
                id: "resetUserTwoFactor",
                summary: "Reset an account's two-step verification (a lost phone): it enrols again at its next sign-in",
                tag: "Accounts", response: "User")
        ) { req in
            UserDTO(try await TwoFactorService.reset(req.uuid("id"), req: req), now: req.now)
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

    /// The second step of an API sign-in: the code, for an account that has one; refused for an
    /// account whose grace is over and that has not enrolled (that is done on the web).
    private static func secondFactor(_ user: UserModel, otp: String?, req: Request) async throws {
        switch TwoFactorService.demand(user, req: req) {
        case .none, .enrolOffered: return
        case .enrolRequired: throw Abort(.forbidden, reason: req.t("login.enrolRequired"))
        case .code:
            let typed = (otp ?? "").trimmingCharacters(in: .whitespaces)
            guard !typed.isEmpty else { throw ValidationFailure([FieldError("otp", "otpRequired")]) }
            switch try await TwoFactorService.check(user, typed: typed, req: req) {
            case .totp, .recovery: return
            case .wrong:
                if let until = user.lockedUntil {
                    throw Abort(
                        .tooManyRequests, headers: ["Retry-After": String(Int((until - req.now.timeIntervalSince1970).rounded(.up)))],
                        reason: req.t("login.locked"))
                }
                throw Abort(.unauthorized, reason: req.t("login.otpInvalid"))
            }
        }
    }
}

import Fluent
import Foundation
import OneStopCore
import Vapor

struct TwoFactorView: Encodable {
    /// `verify` (a code at sign-in), `enrol` (set up, at sign-in or from the account page),
    /// `status` (the account page of an enrolled account) or `codes` (the recovery codes, once).
    var mode: String
    var action: String
    var next: String
    var enrolment: TwoFactorService.Enrolment?
    var enabledAt: String?
    var remaining: Int = 0
    /// The role must have a second factor: it cannot be turned off.
    var required = false
    var canBegin = false
    /// Sign-in in the grace period: where "later" leads, and the days left.
    var skipHref: String?
    var graceDays: Int?
    var codes: [String] = []
    var error: String?
}

/// The pages of the second factor: the code asked at sign-in, enrolment (forced at sign-in once
/// the grace is over, offered during it), and the account's own page.
enum TwoFactorPages {
    /// A password that was right leaves a sign-in pending this long for its second step.
    static let pendingSeconds = 300.0

    /// Where a sign-in goes once the password was right.
    static func afterPassword(_ user: UserModel, next: String, req: Request) async throws -> Response {
        switch TwoFactorService.demand(user, req: req) {
        case .none:
            try await Authentication.startSession(for: user, req: req)
            return req.redirect(to: next)
        case .enrolOffered:
            let u = try await TwoFactorService.begin(user, req: req)
            try await Authentication.startSession(for: u, req: req)
            return req.redirect(
                to: "/account/two-factor?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        case .code:
            pend(user, mode: "code", next: next, req: req)
            return req.redirect(to: "/login/verify")
        case .enrolRequired:
            let u = try await TwoFactorService.begin(user, req: req)
            pend(u, mode: "enrol", next: next, req: req)
            return req.redirect(to: "/login/enrol")
        }
    }

    private static func pend(_ user: UserModel, mode: String, next: String, req: Request) {
        req.session.data["tf_uid"] = user.id?.uuidString
        req.session.data["tf_mode"] = mode
        req.session.data["tf_at"] = String(Int(req.now.timeIntervalSince1970))
        req.session.data["tf_next"] = next
    }

    static func clearPending(_ req: Request) {
        for k in ["tf_uid", "tf_mode", "tf_at", "tf_next"] { req.session.data[k] = nil }
    }

    /// The account whose password was just right, if its sign-in is still pending in this mode.
    private static func pending(_ req: Request, mode: String) async throws -> UserModel? {
        guard req.session.data["tf_mode"] == mode, let raw = req.session.data["tf_uid"], let id = UUID(uuidString: raw),
            let at = Double(req.session.data["tf_at"] ?? ""), req.now.timeIntervalSince1970 - at < pendingSeconds,
            let user = try await UserModel.find(id, on: req.db), !user.disabled
        else { return nil }
        return user
    }

    private static func toLogin(_ req: Request) -> Response {
        clearPending(req)
        req.session.data["expired"] = "1"
        return req.redirect(to: "/login")
    }

    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "login", "verify", access: .public) { req -> Response in
            guard try await pending(req, mode: "code") != nil else { return toLogin(req) }
            _ = req.csrfToken()
            return try await render(req, TwoFactorView(mode: "verify", action: "/login/verify", next: "/"))
        }
        r.endpoint(.POST, "login", "verify", access: .public) { req -> Response in
            struct Form: Content { var code: String? }
            guard let user = try await pending(req, mode: "code") else { return toLogin(req) }
            try req.application.throttles.signIn?.admit(req, message: "auth.tooManyAttempts")
            let next = AuthPages.safeNext(req.session.data["tf_next"])
            let code = (try? req.content.decode(Form.self).code) ?? ""
            var view = TwoFactorView(mode: "verify", action: "/login/verify", next: "/")
            if case .locked = req.application.settings.lockout.check(lockedUntil: user.lockedUntil, now: req.now.timeIntervalSince1970) {
                clearPending(req)
                view.error = req.t("login.locked")
                return try await render(req, view, status: .tooManyRequests)
            }
            guard !code.trimmingCharacters(in: .whitespaces).isEmpty else {
                view.error = req.t("twoFactor.codeMissing")
                return try await render(req, view, status: .unprocessableEntity)
            }
            switch try await TwoFactorService.check(user, typed: code, req: req) {
            case .totp:
                clearPending(req)
                try await Authentication.startSession(for: user, req: req)
                return req.redirect(to: next)
            case .recovery(let left):
                clearPending(req)
                try await Authentication.startSession(for: user, req: req)
                req.flash(req.t("twoFactor.recoveryUsed", "n", String(left)))
                return req.redirect(to: "/account/two-factor")
            case .wrong:
                if user.lockedUntil != nil {
                    clearPending(req)
                    view.error = req.t("login.locked")
                    return try await render(req, view, status: .tooManyRequests)
                }
                view.error = req.t("twoFactor.codeWrong")
                return try await render(req, view, status: .unauthorized)
            }
        }
        r.endpoint(.GET, "login", "enrol", access: .public) { req -> Response in
            guard let user = try await pending(req, mode: "enrol") else { return toLogin(req) }
            _ = req.csrfToken()
            return try await render(
                req,
                TwoFactorView(mode: "enrol", action: "/login/enrol", next: "/", enrolment: TwoFactorService.enrolment(user), required: true)
            )
        }
        r.endpoint(.POST, "login", "enrol", access: .public) { req -> Response in
            struct Form: Content { var code: String? }
            guard let user = try await pending(req, mode: "enrol") else { return toLogin(req) }
            try req.application.throttles.signIn?.admit(req, message: "auth.tooManyAttempts")
            let next = AuthPages.safeNext(req.session.data["tf_next"])
            let code = (try? req.content.decode(Form.self).code) ?? ""
            guard let codes = try await TwoFactorService.confirm(user, code: code, req: req) else {
                var view = TwoFactorView(
                    mode: "enrol", action: "/login/enrol", next: "/", enrolment: TwoFactorService.enrolment(user), required: true)
                view.error = req.t("twoFactor.codeWrong")
                return try await render(req, view, status: .unprocessableEntity)
            }
            clearPending(req)
            try await Authentication.startSession(for: user, req: req)
            return try await render(req, TwoFactorView(mode: "codes", action: "", next: next, codes: codes))
        }

        r.endpoint(.GET, "account", "two-factor", access: .people) { req -> Response in
            let user = try await current(req)
            return try await render(req, try await status(user, req: req))
        }
        r.endpoint(.POST, "account", "two-factor", "begin", access: .people) { req -> Response in
            let user = try await current(req)
            _ = try await TwoFactorService.begin(user, req: req)
            return req.redirect(to: "/account/two-factor")
        }
        r.endpoint(.POST, "account", "two-factor", "confirm", access: .people) { req -> Response in
            struct Form: Content {
                var code: String?
                var next: String?
            }
            let user = try await current(req)
            let form = try req.content.decode(Form.self)
            guard let codes = try await TwoFactorService.confirm(user, code: form.code ?? "", req: req) else {
                var view = try await status(user, req: req)
                view.error = req.t("twoFactor.codeWrong")
                return try await render(req, view, status: .unprocessableEntity)
            }
            return try await render(req, TwoFactorView(mode: "codes", action: "", next: AuthPages.safeNext(form.next), codes: codes))
        }
        r.endpoint(.POST, "account", "two-factor", "recovery-codes", access: .people) { req -> Response in
            try await withCode(req) { user in
                let codes = try await TwoFactorService.regenerate(user, req: req)
                return try await render(req, TwoFactorView(mode: "codes", action: "", next: "/account/two-factor", codes: codes))
            }
        }
        r.endpoint(.POST, "account", "two-factor", "disable", access: .people) { req -> Response in
            try await withCode(req) { user in
                if let role = Role(rawValue: user.role), req.application.settings.twoFactor.requires(role) {
                    var view = try await status(user, req: req)
                    view.error = req.t("twoFactor.cannotDisable")
                    return try await render(req, view, status: .unprocessableEntity)
                }
                try await TwoFactorService.disable(user, req: req)
                req.flash(req.t("twoFactor.disabled"))
                return req.redirect(to: "/account/two-factor")
            }
        }
        r.endpoint(.POST, "admin", "users", ":id", "two-factor-reset", access: .admins) { req -> Response in
            let id = try req.uuid("id")
            do {
                _ = try await TwoFactorService.reset(id, req: req)
                req.flash(req.t("flash.twoFactorReset"))
            } catch let v as ValidationFailure {
                req.flash(v.errors.map { req.application.catalog.fieldMessage($0, req.language) }.joined(separator: "；"))
            } catch let a as any AbortError where a.status == .conflict {
                req.flash(a.reason)
            }
            return req.redirect(to: "/admin/users/\(id)")
        }
    }

    /// Runs a change that a current code must confirm (the phone is at hand, not just the session).
    private static func withCode(_ req: Request, _ body: (UserModel) async throws -> Response) async throws -> Response {
        struct Form: Content { var code: String? }
        let user = try await current(req)
        let code = (try? req.content.decode(Form.self).code) ?? ""
        guard TwoFactorService.enrolled(user) else { return req.redirect(to: "/account/two-factor") }
        switch try await TwoFactorService.check(user, typed: code, req: req) {
        case .totp, .recovery:
            guard let fresh = try await UserModel.find(user.requireID(), on: req.db) else { throw Abort(.notFound) }
            return try await body(fresh)
        case .wrong:
            var view = try await status(user, req: req)
            view.error = req.t("twoFactor.codeWrong")
            return try await render(req, view, status: .unauthorized)
        }
    }

    private static func current(_ req: Request) async throws -> UserModel {
        let p = try req.requirePrincipal()
        guard p.kind == .user, let user = try await UserModel.find(p.id, on: req.db) else { throw Abort(.forbidden) }
        return user
    }

    private static func status(_ user: UserModel, req: Request) async throws -> TwoFactorView {
        let next = req.query[String.self, at: "next"].map(AuthPages.safeNext)
        let role = Role(rawValue: user.role)
        let required = role.map(req.application.settings.twoFactor.requires) ?? false
        if TwoFactorService.enrolled(user) {
            var v = TwoFactorView(mode: "status", action: "", next: "/", required: required)
            v.enabledAt = user.totpEnabledAt.map { HallClock.minuteText(Date(timeIntervalSince1970: $0)) }
            v.remaining = TwoFactorService.remainingRecoveryCodes(user).count
            return v
        }
        var v = TwoFactorView(
            mode: "enrol", action: "/account/two-factor/confirm", next: next ?? "/account/two-factor",
            enrolment: TwoFactorService.enrolment(user), required: required)
        v.canBegin = v.enrolment == nil
        if case .enrolOffered(let until) = TwoFactorService.demand(user, req: req) {
            v.skipHref = next ?? "/"
            v.graceDays = max(1, Int(((until - req.now.timeIntervalSince1970) / 86_400).rounded(.up)))
        }
        return v
    }

    private static func render(_ req: Request, _ view: TwoFactorView, status: HTTPResponseStatus = .ok) async throws -> Response {
        let title = req.t(view.mode == "verify" ? "twoFactor.verifyTitle" : "twoFactor.title")
        let response = try await req.page("auth/two-factor", title: title, view, status: status)
        // Recovery codes and a secret are not kept by the browser or any proxy.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

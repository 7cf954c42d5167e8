import Fluent
import Foundation
import OneStopCore
import Vapor

/// Sign-in, tokens and sessions. Controllers call these; nothing here knows about pages.
enum Authentication {
    static let userTokenPrefix = "osu_"
    static let deviceTokenPrefix = "osd_"

    enum Outcome {
        case success(UserModel)
        case invalid
        case locked(until: Date)
    }

    /// The account a sign-in names: a username, or for applicants their ID number or unified social
    /// credit code (what they know by heart; their username is a generated one, so that the audit
    /// log never carries an ID number).
    static func account(_ name: String, on db: any Database) async throws -> UserModel? {
        if let user = try await UserModel.query(on: db).filter(\.$username == name.lowercased()).first() { return user }
        let id = name.uppercased().filter { !$0.isWhitespace }
        guard id.count == 18, ResidentID.isValid(id) || CreditCode.isValid(id),
            let userID = try await ApplicantModel.query(on: db).filter(\.$idNumberIndex == ApplicantModel.index(id)).first()?.userID
        else { return nil }
        return try await UserModel.find(userID, on: db)
    }

    /// Checks a password under the lockout policy, recording failures. Unknown usernames cost the
    /// same bcrypt work as known ones, so timing does not reveal which accounts exist.
    static func signIn(username: String, password: String, req: Request) async throws -> Outcome {
        // Per client address, before any account is looked at: many accounts tried from one place.
        try req.application.throttles.signIn?.admit(req, message: "auth.tooManyAttempts")
        let now = req.now.timeIntervalSince1970
        let policy = req.application.settings.lockout
        guard let user = try await account(username, on: req.db), !user.disabled
        else {
            _ = try? await req.password.async.verify(password, created: dummyHash)
            return .invalid
        }
        if case .locked(let until) = policy.check(lockedUntil: user.lockedUntil, now: now) {
            return .locked(until: Date(timeIntervalSince1970: until))
        }
        if try await req.password.async.verify(password, created: user.passwordHash) {
            if user.failedLogins != 0 || user.lockedUntil != nil {
                let id = user.id
                try await req.audited { db in
                    try await UserModel.query(on: db).filter(\.$id == id!).set(\.$failedLogins, to: 0)
                        .set(\.$lockedUntil, to: nil).update()
                    return ((), [])
                }
            }
            return .success(user)
        }
        if let lockedUntil = try await recordFailure(user, req: req) { return .locked(until: Date(timeIntervalSince1970: lockedUntil)) }
        return .invalid
    }

    /// Counts a failed sign-in (a wrong password, or a wrong second-factor code) under the lockout
    /// policy; returns the end of the lock if this failure started one.
    @discardableResult
    static func recordFailure(_ user: UserModel, req: Request, secondFactor: Bool = false) async throws -> Double? {
        let (failures, lockedUntil) = req.application.settings.lockout.afterFailure(
            failures: user.failedLogins, now: req.now.timeIntervalSince1970)
        let id = try user.requireID()
        let centerID = user.centerID
        let username = user.username
        try await AuditedWrite.run(on: req.db, gate: req.application.writeGate, actor: "user:\(username)", now: req.now) { db in
            try await UserModel.query(on: db).filter(\.$id == id).set(\.$failedLogins, to: failures)
                .set(\.$lockedUntil, to: lockedUntil).update()
            var events = [
                AuditEvent("auth.loginFailed", "user", id: id, center: centerID, detail: secondFactor ? ["factor": "otp"] : [:])
            ]
            if lockedUntil != nil { events.append(AuditEvent("auth.locked", "user", id: id, center: centerID)) }
            return ((), events)
        }
        user.failedLogins = failures
        user.lockedUntil = lockedUntil
        return lockedUntil
    }

    /// A bcrypt hash of a random string, for equal-time refusals.
    private static let dummyHash = "$2b$12$4Vf3F0QhU7mQn0g8kq1uEeV8S6j0zR9kqj0o8c3m1yH7Jm6Xg5oCa"

    static func issueAPIToken(for user: UserModel, req: Request) async throws -> (token: String, expires: Date) {
        let token = userTokenPrefix + Digest.randomToken()
        let expires = req.now.addingTimeInterval(Double(req.application.settings.apiTokenHours) * 3600)
        let row = APITokenModel()
        row.userID = try user.requireID()
        row.tokenHash = Digest.sha256Hex(token)
        row.expiresAt = expires.timeIntervalSince1970
        let userID = row.userID
        let now = req.now.timeIntervalSince1970
        let centerID = user.centerID
        let username = user.username
        try await AuditedWrite.run(on: req.db, gate: req.application.writeGate, actor: "user:\(username)", now: req.now) { db in
            // Expired tokens of this user go when a new one is issued, so the table stays small.
            try await APITokenModel.query(on: db).filter(\.$userID == userID).filter(\.$expiresAt < now).delete()
            try await row.create(on: db)
            return ((), [AuditEvent("auth.login", "user", id: userID, center: centerID, detail: ["via": "api"])])
        }
        return (token, expires)
    }

    /// The principal of a token the cache still holds, without a database read (nil: look it up).
    static func cachedPrincipal(forToken token: String, req: Request) -> Principal? {
        req.application.tokenCache.principal(hash: Digest.sha256Hex(token), now: req.now.timeIntervalSince1970)
    }

    static func principal(forToken token: String, req: Request) async throws -> Principal? {
        if let p = cachedPrincipal(forToken: token, req: req) { return p }
        let hash = Digest.sha256Hex(token)
        let now = req.now.timeIntervalSince1970
        let cache = req.application.tokenCache
        if token.hasPrefix(deviceTokenPrefix) {
            guard let device = try await DeviceModel.query(on: req.db).filter(\.$tokenHash == hash).first(),
                device.revokedAt == nil, let role = Role(rawValue: device.role)
            else { return nil }
            let p = Principal(
                kind: .device, id: try device.requireID(), role: role, name: device.label, displayName: device.label,
                centerID: device.centerID,
                departmentID: nil, windowID: device.windowID, viaSession: false)
            cache.remember(hash: hash, principal: p, expiresAt: nil)
            return p
        }
        guard token.hasPrefix(userTokenPrefix),
            let row = try await APITokenModel.query(on: req.db).filter(\.$tokenHash == hash).first(),
            row.expiresAt > now,
            let user = try await UserModel.find(row.userID, on: req.db), !user.disabled,
            let p = try principal(for: user, viaSession: false)
        else { return nil }
        cache.remember(hash: hash, principal: p, expiresAt: row.expiresAt)
        return p
    }

    static func principal(for user: UserModel, viaSession: Bool) throws -> Principal? {
        guard let role = Role(rawValue: user.role) else { return nil }
        return Principal(
            kind: .user, id: try user.requireID(), role: role, name: user.username, displayName: user.displayName,
            centerID: user.centerID,
            departmentID: user.departmentID, windowID: nil, viaSession: viaSession)
    }

    /// The signed-in user of a browser session, unless it has been idle too long.
    static func principal(forSession req: Request) async throws -> Principal? {
        guard let raw = req.session.data["uid"], let id = UUID(uuidString: raw) else { return nil }
        let now = req.now.timeIntervalSince1970
        let seen = Double(req.session.data["seen"] ?? "") ?? 0
        let idle = Double(req.application.settings.sessionIdleMinutes * 60)
        if now - seen > idle {
            req.session.data["uid"] = nil
            req.session.data["expired"] = "1"
            return nil
        }
        // Refresh the idle clock at most once a minute, to spare a session write per request.
        if now - seen > 60 { req.session.data["seen"] = String(Int(now)) }
        guard let user = try await UserModel.find(id, on: req.db), !user.disabled else {
            req.session.data["uid"] = nil
            return nil
        }
        return try principal(for: user, viaSession: true)
    }

    /// Starts a browser session for a user. The session id changes at sign-in, so an id planted
    /// before it (session fixation) is worthless afterwards.
    static func startSession(for user: UserModel, req: Request) async throws {
        let csrf = req.session.data["csrf"]
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
            req.session.id = nil
        }
        TwoFactorPages.clearPending(req)
        req.session.data["uid"] = try user.requireID().uuidString
        req.session.data["seen"] = String(Int(req.now.timeIntervalSince1970))
        req.session.data["csrf"] = csrf ?? Digest.randomToken(bytes: 24)
        let id = try user.requireID()
        let centerID = user.centerID
        let username = user.username
        try await AuditedWrite.run(on: req.db, gate: req.application.writeGate, actor: "user:\(username)", now: req.now) { _ in
            ((), [AuditEvent("auth.login", "user", id: id, center: centerID, detail: ["via": "web"])])
        }
    }
}

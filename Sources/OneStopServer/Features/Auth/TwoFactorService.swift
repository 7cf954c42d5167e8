import Fluent
import Foundation
import OneStopCore
import Vapor

/// 双因素认证 — the second factor of an account (issue 18): enrolment, checking a code or a
/// recovery code, new recovery codes, turning it off where the policy allows, and an
/// administrator's reset. Every change is audited; secrets are sealed like personal data and
/// recovery codes are kept only as keyed hashes.
enum TwoFactorService {
    static let issuer = "OneStop"
    static let recoveryField = "users.recovery_codes"

    static func enrolled(_ user: UserModel) -> Bool { user.totpEnabledAt != nil && user.sealedTOTPSecret != nil }

    /// The end of the account's grace (made before the column existed: its creation, plus grace).
    static func graceUntil(_ user: UserModel, policy: TwoFactorPolicy) -> Double {
        user.twoFactorGraceUntil ?? ((user.createdAt?.timeIntervalSince1970 ?? 0) + policy.graceSeconds)
    }

    static func demand(_ user: UserModel, req: Request) -> TwoFactorPolicy.Demand {
        let policy = req.application.settings.twoFactor
        guard let role = Role(rawValue: user.role) else { return .none }
        return policy.demand(
            role: role, enrolled: enrolled(user), graceUntil: graceUntil(user, policy: policy), now: req.now.timeIntervalSince1970)
    }

    static func totp(_ user: UserModel) -> OneStopCore.TOTP? {
        guard let text = user.totpSecret, let secret = Base32.decode(text), secret.count >= 10 else { return nil }
        return OneStopCore.TOTP(secret: secret)
    }

    /// What the enrolment page shows: the QR code of the `otpauth://` URI and the secret to type.
    struct Enrolment: Encodable {
        var qr: String
        var secret: String
        var uri: String
    }

    static func enrolment(_ user: UserModel) -> Enrolment? {
        guard !enrolled(user), let totp = totp(user) else { return nil }
        let uri = totp.uri(issuer: issuer, account: user.username)
        let secret = Base32.encode(totp.secret)
        // Groups of four, as apps that take a typed key show it.
        let grouped = stride(from: 0, to: secret.count, by: 4).map { i -> String in
            let a = secret.index(secret.startIndex, offsetBy: i)
            return String(secret[a..<secret.index(a, offsetBy: min(4, secret.count - i))])
        }.joined(separator: " ")
        return Enrolment(qr: QRCode.encode(uri)?.svg(title: issuer) ?? "", secret: grouped, uri: uri)
    }

    private static func write(
        _ user: UserModel, _ action: String, detail: [String: String] = [:], actor: String? = nil, req: Request,
        _ change: @escaping @Sendable (UserModel) -> Void
    ) async throws {
        let id = try user.requireID()
        let center = user.centerID
        let who = actor ?? "user:\(user.username)"
        try await AuditedWrite.run(on: req.db, gate: req.application.writeGate, actor: who, now: req.now) { db in
            guard let row = try await UserModel.find(id, on: db) else { throw Abort(.notFound) }
            change(row)
            try await row.save(on: db)
            return ((), [AuditEvent(action, "user", id: id, center: center, detail: detail)])
        }
        req.application.tokenCache.clear()
    }

    /// Starts enrolment: a fresh secret, not in force until a code from it is confirmed. An
    /// enrolment already under way keeps its secret, so a QR code scanned before a reload works.
    static func begin(_ user: UserModel, req: Request) async throws -> UserModel {
        guard !enrolled(user) else { return user }
        if totp(user) != nil { return user }
        let secret = Base32.encode(OneStopCore.TOTP.generateSecret())
        try await write(user, "auth.twoFactorBegin", req: req) { $0.totpSecret = secret }
        return try await UserModel.find(user.requireID(), on: req.db) ?? user
    }

    /// Confirms enrolment with a code from the app; returns the ten recovery codes, shown once.
    static func confirm(_ user: UserModel, code: String, req: Request) async throws -> [String]? {
        guard !enrolled(user), let totp = totp(user),
            let step = totp.verify(code, at: req.now.timeIntervalSince1970)
        else { return nil }
        let codes = RecoveryCodes.generate()
        let hashes = hashList(codes)
        let now = req.now.timeIntervalSince1970
        try await write(user, "auth.twoFactorEnrolled", req: req) { row in
            row.totpEnabledAt = now
            row.totpLastStep = step
            row.recoveryCodes = hashes
        }
        return codes
    }

    static func hash(_ code: String) -> String { PersonalData.index(RecoveryCodes.normalise(code), recoveryField) }

    private static func hashList(_ codes: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(codes.map(hash)), as: UTF8.self)) ?? "[]"
    }

    static func remainingRecoveryCodes(_ user: UserModel) -> [String] {
        guard let text = user.recoveryCodes, let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            return []
        }
        return list
    }

    enum Check: Equatable {
        case totp
        case recovery(remaining: Int)
        case wrong
    }

    /// Checks a typed code — the app's, or a recovery code (which is then used up) — and records
    /// its use. A wrong code is a failed sign-in under the lockout policy.
    static func check(_ user: UserModel, typed: String, req: Request) async throws -> Check {
        guard enrolled(user) else { return .wrong }
        if RecoveryCodes.looksLikeRecoveryCode(typed) {
            let hashes = PersonalData.indexes(RecoveryCodes.normalise(typed), recoveryField)
            var list = remainingRecoveryCodes(user)
            if let i = list.firstIndex(where: { stored in hashes.contains { constantTimeEqual($0, stored) } }) {
                list.remove(at: i)
                let text = (try? String(decoding: JSONEncoder().encode(list), as: UTF8.self)) ?? "[]"
                let left = list.count
                try await write(user, "auth.recoveryCodeUsed", detail: ["remaining": String(left)], req: req) {
                    $0.recoveryCodes = text
                }
                return .recovery(remaining: left)
            }
        } else if let totp = totp(user), let step = totp.verify(typed, at: req.now.timeIntervalSince1970, after: user.totpLastStep) {
            let id = try user.requireID()
            // Not audited: a successful sign-in is, as `auth.login`, right after.
            try await UserModel.query(on: req.db).filter(\.$id == id).set(\.$totpLastStep, to: step).update()
            return .totp
        }
        try await Authentication.recordFailure(user, req: req, secondFactor: true)
        return .wrong
    }

    /// New recovery codes, replacing the old ones, after a code proves the phone is at hand.
    static func regenerate(_ user: UserModel, req: Request) async throws -> [String] {
        let codes = RecoveryCodes.generate()
        let hashes = hashList(codes)
        try await write(user, "auth.recoveryCodesRenewed", req: req) { $0.recoveryCodes = hashes }
        return codes
    }

    /// Turns the second factor off, for an account whose role does not require it.
    static func disable(_ user: UserModel, req: Request) async throws {
        try await write(user, "auth.twoFactorDisabled", req: req, clear)
    }

    /// An administrator's reset, for a lost phone: the second factor is gone and the account must
    /// enrol again at its next sign-in (no new grace), and its API tokens stop working.
    static func reset(_ id: UUID, req: Request) async throws -> UserModel {
        let scope = try await req.scope()
        guard let row = try await UserModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try scope.require(row.centerID)
        let p = try req.requirePrincipal()
        // Resetting one's own would sign oneself out of the API for nothing; a lost phone is
        // reset by another administrator.
        if id == p.id { throw ValidationFailure([FieldError("user", "user.twoFactorResetSelf")]) }
        guard enrolled(row) else { throw Abort(.conflict, reason: req.t("twoFactor.notEnrolled")) }
        let now = req.now.timeIntervalSince1970
        let center = row.centerID
        try await AuditedWrite.run(on: req.db, gate: req.application.writeGate, actor: "user:\(p.name)", now: req.now) { db in
            guard let u = try await UserModel.find(id, on: db) else { throw Abort(.notFound) }
            let had = enrolled(u)
            clear(u)
            u.twoFactorGraceUntil = now
            try await u.save(on: db)
            try await APITokenModel.query(on: db).filter(\.$userID == id).delete()
            return ((), [AuditEvent("user.twoFactorReset", "user", id: id, center: center, detail: ["wasEnrolled": had ? "yes" : "no"])])
        }
        req.application.tokenCache.clear()
        return try await UserModel.find(id, on: req.db) ?? row
    }

    @Sendable private static func clear(_ u: UserModel) {
        u.sealedTOTPSecret = nil
        u.totpEnabledAt = nil
        u.totpLastStep = nil
        u.recoveryCodes = nil
    }
}

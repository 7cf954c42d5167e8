import Foundation
import OneStopCore
import Vapor

/// Who is making a request: a signed-in person or a device, with the scope it acts in.
struct Principal: Authenticatable, Sendable {
    enum Kind: String, Sendable { case user, device }

    var kind: Kind
    var id: UUID
    var role: Role
    var name: String
    /// What people read: a person's display name, a device's label.
    var displayName: String
    var centerID: UUID
    var departmentID: UUID?
    var windowID: UUID?
    /// How it authenticated: true for the session cookie, which is what CSRF protects.
    var viaSession: Bool

    /// A member of the center's staff: a person's account that is not an applicant's.
    var isStaff: Bool { kind == .user && role != .applicant && !role.isOutsideEvaluator }

    /// The audit log's name for the actor: `user:admin` or `device:<id>`.
    var auditName: String { kind == .user ? "user:\(name)" : "device:\(id.uuidString.lowercased())" }
}

extension Request {
    var principal: Principal? { auth.get(Principal.self) }

    func requirePrincipal() throws -> Principal {
        guard let p = principal else { throw Abort(.unauthorized) }
        return p
    }
}

/// "Now", injectable so that tests can move time (lockouts, idle sessions, deadlines).
struct AppClock: Sendable {
    var now: @Sendable () -> Date

    static let system = AppClock(now: { Date() })
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }

    var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.clock.now() }
}

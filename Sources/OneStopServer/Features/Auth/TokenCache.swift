import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Bearer tokens this instance has checked lately, so that a window's every click does not read
/// the token and its user again.
///
/// An entry lives between half of `ttl` and `ttl`, drawn at random: the tokens of a hall are
/// checked for the first time together when it opens, and with one fixed lifetime they all
/// expired together, every `ttl`, and were read again at once — a few hundred reads in a burst
/// that held up the hall's clicks for half a second (the hall-day benchmark). Any audited write on this instance that touches a user or a device (sign
/// out, disable, role change, revoke) empties the cache at once; such a change made on another
/// instance is seen here within `ttl`. A user token's own expiry is checked on every hit.
final class TokenCache: Sendable {
    struct Entry: Sendable {
        /// Until when (monotonic nanoseconds) the entry may be used.
        var until: UInt64
        var principal: Principal
        /// Seconds since 1970; nil for device tokens, which do not expire.
        var expiresAt: Double?
    }

    static let ttl: UInt64 = 5_000_000_000
    static let maxEntries = 20_000
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    /// The principal of a token hash, if checked within its entry's lifetime and not expired at `now`.
    func principal(hash: String, now: Double) -> Principal? {
        let t = DispatchTime.now().uptimeNanoseconds
        guard let e = entries.withLockedValue({ $0[hash] }), t < e.until else { return nil }
        if let x = e.expiresAt, x <= now { return nil }
        return e.principal
    }

    func remember(hash: String, principal: Principal, expiresAt: Double?) {
        let life = Self.ttl / 2 + UInt64.random(in: 0...(Self.ttl / 2))
        let e = Entry(until: DispatchTime.now().uptimeNanoseconds + life, principal: principal, expiresAt: expiresAt)
        entries.withLockedValue {
            if $0.count >= Self.maxEntries { $0.removeAll(keepingCapacity: true) }
            $0[hash] = e
        }
    }

    func clear() { entries.withLockedValue { $0.removeAll() } }

    /// Whether a write's audit entries touch who may sign in: then the cache must go.
    static func invalidates(_ events: [AuditEvent]) -> Bool {
        events.contains { $0.entityType == "user" || $0.entityType == "device" }
    }
}

extension Application {
    private struct TokenCacheKey: StorageKey { typealias Value = TokenCache }

    /// Set in `configure`.
    var tokenCache: TokenCache {
        get { storage[TokenCacheKey.self]! }
        set { storage[TokenCacheKey.self] = newValue }
    }
}

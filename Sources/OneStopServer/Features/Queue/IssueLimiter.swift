import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Limits tickets taken without signing in (phones) per client address: at most `limit` in any
/// `window` seconds, so a script cannot empty a day's numbers. Kiosks and staff sign in and are
/// not limited. A request from loopback or a private address that carries X-Forwarded-For (a
/// reverse proxy in front of OneStop) is counted by the address the proxy saw; one from the
/// server's own machine without it (a local kiosk, a benchmark) is not limited.
final class IssueLimiter: Sendable {
    let limit: Int
    let window: Double
    private let hits = NIOLockedValueBox<[String: [Double]]>([:])

    init(limit: Int = 30, window: Double = 600) {
        self.limit = limit
        self.window = window
    }

    /// The client's key, or nil when it is not limited.
    static func client(_ req: Request) -> String? {
        let peer = req.remoteAddress?.ipAddress
        let forwarded = req.headers.first(name: .xForwardedFor)?.split(separator: ",").last
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let local = peer.map(isLocal) ?? true
        if local { return forwarded.flatMap { $0.isEmpty ? nil : $0 } }
        return peer
    }

    static func isLocal(_ ip: String) -> Bool {
        ip == "127.0.0.1" || ip == "::1" || ip.hasPrefix("10.") || ip.hasPrefix("192.168.") || ip.hasPrefix("fc")
            || ip.hasPrefix("fd")
            || (ip.hasPrefix("172.") && (16...31).contains(Int(ip.split(separator: ".").dropFirst().first ?? "") ?? 0))
    }

    /// Counts one request for the client, or throws 429 saying `message` (with the minutes to
    /// wait as `n`) and the seconds to wait in `Retry-After`.
    func admit(_ req: Request, message: String = "queue.tooManyTickets") throws {
        guard let key = Self.client(req) else { return }
        try admit(key: key, req: req, message: message)
    }

    /// Counts one event under any key (a case number's failed look-ups), or throws 429 saying
    /// `message` with the minutes to wait as `n`.
    func admit(key: String, req: Request, message: String) throws {
        let now = req.now.timeIntervalSince1970
        let wait = hits.withLockedValue { all -> Double? in
            var list = (all[key] ?? []).filter { $0 > now - window }
            defer {
                all[key] = list
                if all.count > 50_000 { all = all.filter { $0.value.contains { $0 > now - window } } }
            }
            if list.count >= limit { return list[0] + window - now }
            list.append(now)
            return nil
        }
        if let wait {
            throw Abort(
                .tooManyRequests, headers: ["Retry-After": String(Int(wait.rounded(.up)))],
                reason: req.t(message, ["n": String(Int((wait / 60).rounded(.up)))]))
        }
    }

    /// Whether a key has used up its allowance, without counting.
    func exhausted(key: String, now: Double) -> Bool { wait(key: key, now: now) != nil }

    /// The seconds until a key that has used up its allowance may try again.
    func wait(key: String, now: Double) -> Double? {
        hits.withLockedValue { all in
            let list = (all[key] ?? []).filter { $0 > now - window }
            return list.count >= limit ? list[0] + window - now : nil
        }
    }
}

extension Application {
    private struct IssueLimiterKey: StorageKey { typealias Value = IssueLimiter }

    var issueLimiter: IssueLimiter {
        if let s = storage[IssueLimiterKey.self] { return s }
        let s = IssueLimiter()
        storage[IssueLimiterKey.self] = s
        return s
    }

    private struct TrackLimiterKey: StorageKey { typealias Value = IssueLimiter }
    private struct ThrottlesKey: StorageKey { typealias Value = Throttles }

    /// The per-client limits of the settings (`Settings.throttle`); nil where one is off.
    struct Throttles: Sendable {
        var signIn: IssueLimiter?
        var tracking: IssueLimiter?
        var forms: IssueLimiter?
        var surveys: IssueLimiter?
    }

    var throttles: Throttles {
        if let s = storage[ThrottlesKey.self] { return s }
        let t = settings.throttle
        func limiter(_ r: Settings.Rate?) -> IssueLimiter? { r.map { IssueLimiter(limit: $0.count, window: Double($0.seconds)) } }
        let s = Throttles(signIn: limiter(t.signIn), tracking: limiter(t.tracking), forms: limiter(t.forms), surveys: limiter(t.surveys))
        storage[ThrottlesKey.self] = s
        return s
    }

    /// Failed case look-ups without signing in: 10 an hour per case number (whoever asks, so that
    /// the 10,000 possible ID tails cannot be tried from many addresses); per client, see
    /// `throttles.tracking`.
    var trackLimiter: IssueLimiter {
        if let s = storage[TrackLimiterKey.self] { return s }
        let s = IssueLimiter(limit: 10, window: 3600)
        storage[TrackLimiterKey.self] = s
        return s
    }
}

extension Request {
    /// A look-up without signing in (a case, a work order), limited by its failed tries: per `key`
    /// whoever asks (so that the 10,000 possible tails of a number cannot be tried from many
    /// addresses) and per client. `find` answers nil, or throws a 404, when nothing matches; that
    /// counts, and the caller hears `notFound`.
    func limitedLookup<T>(_ key: String, notFound: String, _ find: () async throws -> T?) async throws -> T {
        var limits: [(IssueLimiter, String)] = [(application.trackLimiter, key)]
        if let client = IssueLimiter.client(self), let perClient = application.throttles.tracking {
            limits.append((perClient, "client:" + client))
        }
        let now = self.now.timeIntervalSince1970
        if let wait = limits.compactMap({ $0.0.wait(key: $0.1, now: now) }).max() {
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(Int(wait.rounded(.up)))], reason: t("case.tooManyLookups"))
        }
        let found: T?
        do {
            found = try await find()
        } catch let e as any AbortError where e.status == .notFound {
            found = nil
        }
        guard let found else {
            for (limiter, key) in limits { try limiter.admit(key: key, req: self, message: "case.tooManyLookups") }
            throw Abort(.notFound, reason: t(notFound))
        }
        return found
    }
}

import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// The requests being answered, so that a shutdown lets them finish before the databases close.
///
/// On SIGTERM Vapor closes the listening socket, waits a while for open connections, then shuts
/// the application's parts down in the reverse order they were registered, the databases among
/// the last. A request whose handler was still running then asked Fluent for a database that was
/// gone, and the process died on a nil unwrap inside Fluent (the hall-day benchmark, killed at
/// the end of its day under load). Now the first thing a shutdown does is refuse new requests
/// (503, with Retry-After) and wait for those in hand, up to `timeout`.
final class InFlightRequests: Sendable {
    private struct State {
        var count = 0
        var closing = false
    }

    private let state = NIOLockedValueBox(State())

    /// Counts a request in; false once the server is closing.
    func enter() -> Bool {
        state.withLockedValue { s in
            if s.closing { return false }
            s.count += 1
            return true
        }
    }

    func leave() { state.withLockedValue { $0.count -= 1 } }

    var count: Int { state.withLockedValue { $0.count } }

    /// Refuses new requests from now on and waits until those in hand are answered, or `timeout`
    /// has passed. Returns how many were still running then (0: all answered).
    @discardableResult
    func drain(timeout: Duration) async -> Int {
        state.withLockedValue { $0.closing = true }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if count <= 0 { return 0 }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return max(count, 0)
    }
}

/// First in the chain: counts each request while it is answered (see `InFlightRequests`). A
/// future-based middleware, so that it adds no task hop to every request.
struct InFlightMiddleware: Middleware {
    let requests: InFlightRequests

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard requests.enter() else {
            let response = Response(status: .serviceUnavailable, headers: ["Retry-After": "5", "Connection": "close"])
            response.body = .init(string: request.t("server.restarting"))
            response.headers.contentType = .plainText
            return request.eventLoop.makeSucceededFuture(response)
        }
        let requests = requests
        return next.respond(to: request).always { _ in requests.leave() }
    }
}

/// Registered after every other part, so that it shuts down first: the requests in hand are
/// answered before the sweeps, the commit lane and the databases stop.
struct InFlightLifecycle: LifecycleHandler {
    let requests: InFlightRequests

    func shutdownAsync(_ application: Application) async {
        let left = await requests.drain(timeout: .seconds(10))
        if left > 0 { application.logger.warning("shutting down with \(left) requests still running") }
    }
}

extension Application {
    private struct InFlightKey: StorageKey { typealias Value = InFlightRequests }

    /// The requests being answered (see `InFlightRequests`).
    var inFlight: InFlightRequests {
        get {
            guard let r = storage[InFlightKey.self] else { fatalError("in-flight requests not set up in configure()") }
            return r
        }
        set { storage[InFlightKey.self] = newValue }
    }
}

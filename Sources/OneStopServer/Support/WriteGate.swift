import Foundation
import NIOConcurrencyHelpers

/// Lets one write transaction at a time into SQLite from this process, in arrival order.
///
/// SQLite allows one writer; two connections racing for it either spin in the busy handler or,
/// when one started by reading, fail with SQLITE_BUSY. Queueing writers here avoids both. On
/// PostgreSQL the gate is open and the audit head's row lock orders writers across instances.
final class WriteGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    func withGate<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard enabled else { return try await body() }
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let run = state.withLockedValue { s -> Bool in
                if s.busy {
                    s.waiters.append(c)
                    return false
                }
                s.busy = true
                return true
            }
            if run { c.resume() }
        }
    }

    private func release() {
        let next = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.busy = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}

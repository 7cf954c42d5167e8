import Foundation
import NIOConcurrencyHelpers

/// Values kept for a short time per key, loaded at most once at a time: when an entry expires
/// under load, the requests that arrive while it is being read again wait for that one read
/// instead of each reading it themselves.
final class TimedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private enum Entry {
        case ready(at: UInt64, Value)
        case loading(id: UInt64, Task<Value, any Error>, previous: (at: UInt64, value: Value)?)
    }

    private enum Lookup {
        case hit(Value)
        case wait(Task<Value, any Error>, id: UInt64)
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var nextID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    private let ttl: UInt64
    private let stale: UInt64
    private let limit: Int

    /// `ttl` in nanoseconds; past `limit` entries the cache starts again empty. A caller inside a
    /// transaction may take an entry up to `stale` nanoseconds past `ttl` (see `value`).
    init(ttl: UInt64, stale: UInt64 = 0, limit: Int = 10_000) {
        self.ttl = ttl
        self.stale = stale
        self.limit = limit
    }

    /// The cached value, or the one being loaded, or a new load. A caller inside a transaction
    /// passes `shared: false`: it reads through its own transaction on a miss, neither waiting for
    /// a load that may need the connection it holds nor handing others what it has not committed.
    /// Such a caller may also take an entry up to `stale` nanoseconds past `ttl` (the one being
    /// read again included): at each expiry, every action already queued for the one writer had
    /// otherwise read the entry again itself, one after the other (see `HallStore.config`).
    func value(_ key: Key, shared: Bool = true, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let now = DispatchTime.now().uptimeNanoseconds
        if !shared {
            let hit: Value? = state.withLockedValue { s in
                switch s.entries[key] {
                case .ready(let at, let value) where now &- at < ttl &+ stale: return value
                case .loading(_, _, let previous?) where now &- previous.at < ttl &+ stale: return previous.value
                default: return nil
                }
            }
            if let hit { return hit }
            return try await load()
        }
        let lookup: Lookup = state.withLockedValue { s in
            var previous: (at: UInt64, value: Value)?
            switch s.entries[key] {
            case .ready(let at, let value) where now &- at < ttl: return .hit(value)
            case .ready(let at, let value): previous = (at, value)
            case .loading(let id, let task, _): return .wait(task, id: id)
            case nil: if s.entries.count >= limit { s.entries.removeAll() }
            }
            s.nextID &+= 1
            let task = Task { try await load() }
            s.entries[key] = .loading(id: s.nextID, task, previous: previous)
            return .wait(task, id: s.nextID)
        }
        let task: Task<Value, any Error>
        let id: UInt64
        switch lookup {
        case .hit(let value): return value
        case .wait(let t, let i): (task, id) = (t, i)
        }
        do {
            let value = try await task.value
            state.withLockedValue { s in
                // Stored only if nobody dropped or replaced the entry while it was being read.
                if case .loading(let current, _, _) = s.entries[key], current == id {
                    s.entries[key] = .ready(at: DispatchTime.now().uptimeNanoseconds, value)
                }
            }
            return value
        } catch {
            state.withLockedValue { s in
                if case .loading(let current, _, _) = s.entries[key], current == id { s.entries[key] = nil }
            }
            throw error
        }
    }

    /// The last value loaded for a key, however old, without loading: a hint, not an answer.
    func latest(_ key: Key) -> Value? {
        state.withLockedValue { s in
            switch s.entries[key] {
            case .ready(_, let value): value
            case .loading(_, _, let previous): previous?.value
            case nil: nil
            }
        }
    }

    func remove(_ key: Key) { _ = state.withLockedValue { $0.entries.removeValue(forKey: key) } }
    func removeAll() { state.withLockedValue { $0.entries.removeAll() } }
}

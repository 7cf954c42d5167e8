import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import OneStopServer

@Suite("Timed cache")
struct TimedCacheTests {
    struct Boom: Error {}

    @Test("requests that miss together share one load; a failed load is not kept; a private read neither waits nor stores")
    func singleLoad() async throws {
        let cache = TimedCache<String, Int>(ttl: 60_000_000_000)
        let loads = NIOLockedValueBox(0)
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value("a") {
                        loads.withLockedValue { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(100))
                        return 7
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: 7, count: 20))
        #expect(loads.withLockedValue { $0 } == 1)
        #expect(try await cache.value("a") { 8 } == 7)
        #expect(cache.latest("a") == 7)

        await #expect(throws: Boom.self) { try await cache.value("b") { throw Boom() } }
        #expect(cache.latest("b") == nil)
        #expect(try await cache.value("b") { 2 } == 2)

        #expect(try await cache.value("c", shared: false) { 3 } == 3)
        #expect(cache.latest("c") == nil)
        #expect(try await cache.value("a", shared: false) { 9 } == 7)

        cache.remove("a")
        #expect(try await cache.value("a") { 10 } == 10)
    }

    @Test("an entry past its time is read again")
    func expiry() async throws {
        let cache = TimedCache<String, Int>(ttl: 1_000_000)
        #expect(try await cache.value("a") { 1 } == 1)
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await cache.value("a") { 2 } == 2)
    }

    @Test("inside a transaction an entry a little past its time is taken, also while it is read again; a shared read still reloads")
    func staleInsideTransaction() async throws {
        let strict = TimedCache<String, Int>(ttl: 1_000_000)
        let cache = TimedCache<String, Int>(ttl: 1_000_000, stale: 60_000_000_000)
        #expect(try await strict.value("a") { 1 } == 1)
        #expect(try await cache.value("a") { 1 } == 1)
        try await Task.sleep(for: .milliseconds(5))
        // Past ttl: a private read with no grace loads, one with grace takes the entry.
        #expect(try await strict.value("a", shared: false) { 2 } == 2)
        #expect(try await cache.value("a", shared: false) { 3 } == 1)
        // A shared read that finds it expired starts a load; while it runs, the private read
        // with grace takes the previous value rather than reading again.
        let release = AsyncStream<Void>.makeStream()
        let reload = Task {
            try await cache.value("a") {
                for await _ in release.stream { break }
                return 4
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await cache.value("a", shared: false) { 5 } == 1)
        #expect(try await strict.value("a", shared: false) { 6 } == 6)
        release.continuation.yield()
        #expect(try await reload.value == 4)
        #expect(try await cache.value("a", shared: false) { 7 } == 4)
        // Far past ttl and grace, the private read loads.
        let short = TimedCache<String, Int>(ttl: 1_000_000, stale: 1_000_000)
        #expect(try await short.value("b") { 1 } == 1)
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await short.value("b", shared: false) { 2 } == 2)
    }
}

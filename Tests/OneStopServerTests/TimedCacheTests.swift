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
}

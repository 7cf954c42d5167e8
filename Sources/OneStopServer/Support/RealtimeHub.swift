import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import Vapor

/// Something that happened in a hall, as live screens hear it. Only public facts: ticket numbers,
/// window numbers, group ids — never a person.
struct HallEvent: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        case issued, called, recalled, changed, window, rated
    }

    var kind: Kind
    var group: UUID?
    var number: String?
    var window: Int?
    var windowID: UUID?
    /// What the board says aloud, for calls and recalls.
    var text: String?
    /// Ticket id and call count: a board announces each call once.
    var callID: String?
}

/// Live screens of a center subscribe here; every instance delivers to its own subscribers. With
/// PostgreSQL, events also go out through NOTIFY and come in through LISTEN, so a board attached
/// to one instance hears a call made on another.
final class RealtimeHub: Sendable {
    typealias Send = @Sendable (String) -> Void

    let instance = UUID().uuidString.lowercased()
    private let subscribers = NIOLockedValueBox<[UUID: [UUID: Send]]>([:])
    private let bridge = NIOLockedValueBox<PostgresBridge?>(nil)
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    func subscribe(center: UUID, _ send: @escaping Send) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[center, default: [:]][id] = send }
        return id
    }

    func unsubscribe(center: UUID, _ id: UUID) {
        subscribers.withLockedValue { $0[center]?[id] = nil }
    }

    func attach(_ b: PostgresBridge) { bridge.withLockedValue { $0 = b } }

    /// Call after the change has committed.
    func publish(center: UUID, _ event: HallEvent) {
        let bridge = bridge.withLockedValue { $0 }
        let listening = subscribers.withLockedValue { !($0[center]?.isEmpty ?? true) }
        // Nobody to tell on this instance and no other instance to reach: nothing to encode.
        guard listening || bridge != nil else { return }
        guard let data = try? encoder.encode(event), let json = String(data: data, encoding: .utf8) else { return }
        if listening { deliver(center: center, json) }
        bridge?.notify(instance + "|" + center.uuidString + "|" + json)
    }

    func deliver(center: UUID, _ json: String) {
        let targets = subscribers.withLockedValue { Array(($0[center] ?? [:]).values) }
        for send in targets { send(json) }
    }

    /// A notification from the database: delivered unless this instance sent it.
    func received(_ payload: String) {
        let parts = payload.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] != instance, let center = UUID(uuidString: String(parts[1])) else { return }
        deliver(center: center, String(parts[2]))
    }
}

/// LISTEN on a connection of its own (reconnecting after a drop), NOTIFY on another.
final class PostgresBridge: Sendable {
    let channel: String
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let outbox: AsyncStream<String>.Continuation
    private let outboxStream: AsyncStream<String>
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    init(configuration: PostgresConnection.Configuration, channel: String, logger: Logger) {
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
        (outboxStream, outbox) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    func notify(_ payload: String) { outbox.yield(payload) }

    func start(hub: RealtimeHub) {
        let listen = Task { [self] in
            while !Task.isCancelled {
                do {
                    let conn = try await PostgresConnection.connect(
                        configuration: configuration, id: Int.random(in: 1..<Int(Int32.max)), logger: logger)
                    defer { Task { try? await conn.close() } }
                    try await conn.listen(on: channel) { seq in
                        // The sequence need not end when the server goes away (a restart of
                        // PostgreSQL): a watch on the connection ends the wait, and the loop
                        // connects and listens again.
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { for try await n in seq { hub.received(n.payload) } }
                            group.addTask {
                                while !conn.isClosed { try await Task.sleep(nanoseconds: 500_000_000) }
                                throw BridgeLost()
                            }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("hall notifications: listener lost, reconnecting", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
        }
        let send = Task { [self] in
            // One iterator for the task's life: dropping one ends an AsyncStream.
            var outbox = outboxStream.makeAsyncIterator()
            var pending: String?
            while !Task.isCancelled {
                do {
                    let conn = try await PostgresConnection.connect(
                        configuration: configuration, id: Int.random(in: 1..<Int(Int32.max)), logger: logger)
                    defer { Task { try? await conn.close() } }
                    while true {
                        if pending == nil {
                            guard let next = await outbox.next() else { return }
                            pending = next
                        }
                        // A query on a connection the server closed may never be answered.
                        if conn.isClosed { throw BridgeLost() }
                        try await Self.notify(conn, channel: channel, payload: pending!, logger: logger)
                        pending = nil
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("hall notifications: sender lost, reconnecting", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
        }
        tasks.withLockedValue { $0 = [listen, send] }
    }

    struct BridgeLost: Error {}

    /// `pg_notify`, given up after 5 s (the connection is then taken for lost).
    private static func notify(_ conn: PostgresConnection, channel: String, payload: String, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await conn.query("SELECT pg_notify(\(channel), \(payload))", logger: logger) }
            group.addTask {
                try await Task.sleep(nanoseconds: 5_000_000_000)
                throw BridgeLost()
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func stop() {
        outbox.finish()
        for t in tasks.withLockedValue({ $0 }) { t.cancel() }
    }
}

extension Application {
    private struct HubKey: StorageKey { typealias Value = RealtimeHub }

    var hub: RealtimeHub {
        if let h = storage[HubKey.self] { return h }
        let h = RealtimeHub()
        storage[HubKey.self] = h
        return h
    }
}

/// Starts and stops the PostgreSQL bridge with the application.
struct HubLifecycle: LifecycleHandler {
    let bridge: PostgresBridge

    func didBoot(_ app: Application) throws { bridge.start(hub: app.hub) }
    func shutdown(_ app: Application) { bridge.stop() }
}

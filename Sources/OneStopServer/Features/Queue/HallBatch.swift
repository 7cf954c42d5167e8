import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore

/// What a queue action will read, declared up front so that a batch reads it all at once.
struct HallNeeds: Sendable {
    var seats: [UUID] = []
    var tickets: [UUID] = []
    var counters: [HallBatch.CounterKey] = []
}

/// The tickets, seats, counters and ratings of one group-commit batch of queue actions.
///
/// A batch of a busy hall holds dozens of actions; run one by one, each reads its seat and ticket
/// and writes them back, and every statement waits for a thread hand-over (a profile of the
/// hall-day benchmark: 0.2 ms a statement, 0.85 ms an action, all of it inside the one write
/// transaction that SQLite allows at a time). Here the batch reads what its actions declared in one
/// statement per table, the actions work on the rows in memory — each seeing what the ones before
/// it did — and the batch writes every changed row in one statement per table before its audit
/// entries, inside the same transaction. Nothing changes for a caller: it still hears of success
/// only after the commit.
///
/// A job that does not use the batch (a Fluent write, the housekeeping sweep) sees the database as
/// it is: the batch is written out and forgotten before and after it.
final class HallBatch: BatchState, @unchecked Sendable {
    @TaskLocal static var current: HallBatch?

    struct CounterKey: Hashable, Sendable {
        var group: UUID
        var day: String
    }

    struct State: Sendable {
        var tickets: [UUID: HallRows.Ticket] = [:]
        /// The state each ticket had in the database when read (nil: made in this batch).
        var storedState: [UUID: String] = [:]
        var dirtyTickets: [UUID] = []
        var seats: [UUID: HallRows.Seat] = [:]
        var dirtySeats: [UUID] = []
        var counters: [CounterKey: Int] = [:]
        var dirtyCounters: [CounterKey] = []
        var ratings: [RatingModel] = []
    }

    private let box = NIOLockedValueBox(State())

    // MARK: BatchState

    func prefetch(_ needs: [any Sendable], on db: any Database) async throws {
        var seats: Set<UUID> = []
        var tickets: Set<UUID> = []
        var counters: Set<CounterKey> = []
        for case let n as HallNeeds in needs {
            seats.formUnion(n.seats)
            tickets.formUnion(n.tickets)
            counters.formUnion(n.counters)
        }
        for row in try await HallRows.readSeats(Array(seats), on: db) { loaded(row) }
        for row in try await HallRows.readTickets(Array(tickets), on: db) { loaded(row) }
        for key in counters where counter(key) == nil { loadedCounter(key, last: try await HallRows.readCounter(key, on: db)) }
    }

    func flush(on db: any Database) async throws {
        let s = box.withLockedValue { s -> State in
            let out = s
            s.dirtyTickets = []
            s.dirtySeats = []
            s.dirtyCounters = []
            s.ratings = []
            for (id, t) in s.tickets { s.storedState[id] = t.state }
            return out
        }
        try await HallRows.writeCounters(s.dirtyCounters.map { ($0, s.counters[$0]!) }, on: db)
        try await HallRows.upsert(s.dirtyTickets.compactMap { s.tickets[$0] }, on: db)
        try await HallRows.update(s.dirtySeats.compactMap { s.seats[$0] }, on: db)
        try await HallRows.insert(s.ratings, on: db)
    }

    func forget() { box.withLockedValue { $0 = State() } }

    var isEmpty: Bool {
        box.withLockedValue { $0.tickets.isEmpty && $0.seats.isEmpty && $0.counters.isEmpty && $0.ratings.isEmpty }
    }

    func snapshot() -> any Sendable { box.withLockedValue { $0 } }

    func restore(_ snapshot: any Sendable) {
        guard let s = snapshot as? State else { return }
        box.withLockedValue { $0 = s }
    }

    func run<T>(_ body: () async throws -> T) async throws -> T {
        try await Self.$current.withValue(self, operation: body)
    }

    // MARK: rows

    func ticket(_ id: UUID) -> HallRows.Ticket? { box.withLockedValue { $0.tickets[id] } }

    func loaded(_ t: HallRows.Ticket) {
        box.withLockedValue {
            guard $0.tickets[t.id] == nil else { return }
            $0.tickets[t.id] = t
            $0.storedState[t.id] = t.state
        }
    }

    func wrote(_ t: HallRows.Ticket) {
        box.withLockedValue {
            $0.tickets[t.id] = t
            if !$0.dirtyTickets.contains(t.id) { $0.dirtyTickets.append(t.id) }
        }
    }

    /// Tickets that were waiting in the database and have been taken out of the queue by this
    /// batch: the calling rule's query must not offer them again.
    var takenFromQueue: [UUID] {
        box.withLockedValue { s in
            s.dirtyTickets.filter {
                s.storedState[$0] == TicketState.waiting.rawValue && s.tickets[$0]?.state != TicketState.waiting.rawValue
            }
        }
    }

    func seat(_ window: UUID) -> HallRows.Seat? { box.withLockedValue { $0.seats[window] } }

    func loaded(_ s: HallRows.Seat) {
        box.withLockedValue { if $0.seats[s.windowID] == nil { $0.seats[s.windowID] = s } }
    }

    func wrote(_ s: HallRows.Seat) {
        box.withLockedValue {
            $0.seats[s.windowID] = s
            if !$0.dirtySeats.contains(s.windowID) { $0.dirtySeats.append(s.windowID) }
        }
    }

    func counter(_ key: CounterKey) -> Int? { box.withLockedValue { $0.counters[key] } }

    func loadedCounter(_ key: CounterKey, last: Int) { box.withLockedValue { $0.counters[key] = last } }

    func increment(_ key: CounterKey) -> Int {
        box.withLockedValue {
            let next = ($0.counters[key] ?? 0) + 1
            $0.counters[key] = next
            if !$0.dirtyCounters.contains(key) { $0.dirtyCounters.append(key) }
            return next
        }
    }

    func wrote(_ r: RatingModel) { box.withLockedValue { $0.ratings.append(r) } }
}

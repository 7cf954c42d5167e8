import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore

/// What a queue action will read, declared up front so that a batch reads it all at once.
struct HallNeeds: Sendable {
    var seats: [UUID] = []
    var tickets: [UUID] = []
    var counters: [HallBatch.CounterKey] = []
    /// A call-next: the heads of the queue of these groups (and the tickets sent back to the window).
    var queue: QueueNeed?

    struct QueueNeed: Sendable {
        var center: UUID
        var day: String
        var window: UUID
        var groups: [UUID]
    }
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

    struct QueueKey: Hashable, Sendable {
        var center: UUID
        var day: String
    }

    struct Partition: Hashable, Sendable {
        var group: UUID
        var ticketClass: String
    }

    /// The first waiting tickets of each group and class of a center's day, as the batch read them,
    /// enough for every call-next the batch declared; and the waiting tickets sent back to those windows.
    struct Queue: Sendable {
        var groups: Set<UUID>
        var windows: Set<UUID>
        var heads: [Partition: [HallRows.Ticket]]
        /// Partitions that may hold more than was read.
        var truncated: Set<Partition>
        var pinned: [HallRows.Ticket]
    }

    struct State: Sendable {
        var queues: [QueueKey: Queue] = [:]
        var tickets: [UUID: HallRows.Ticket] = [:]
        /// The state each ticket had in the database when read (nil: made in this batch).
        var storedState: [UUID: String] = [:]
        var dirtyTickets: [UUID] = []
        var seats: [UUID: HallRows.Seat] = [:]
        var dirtySeats: [UUID] = []
        var counters: [CounterKey: Int] = [:]
        var dirtyCounters: [CounterKey] = []
        var ratings: [RatingModel] = []
        var flags: [RatingFlagModel] = []
        /// What the batch's ratings add to the day-and-scope figures, summed per row.
        var tallies: [RatingFigures.Key: RatingTally] = [:]
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
        // The queue heads, one statement per center and day: as many per group and class as there
        // are calls in the batch that may take from it, and one more.
        var queues: [QueueKey: (limits: [UUID: Int], windows: Set<UUID>)] = [:]
        for case let n as HallNeeds in needs {
            guard let q = n.queue else { continue }
            let key = QueueKey(center: q.center, day: q.day)
            var entry = queues[key] ?? ([:], [])
            for g in q.groups { entry.limits[g, default: 1] += 1 }
            entry.windows.insert(q.window)
            queues[key] = entry
        }
        for (key, entry) in queues {
            let rows = try await HallRows.queueHeads(
                center: key.center, day: key.day, limits: entry.limits, windows: Array(entry.windows), on: db)
            var queue = Queue(groups: Set(entry.limits.keys), windows: entry.windows, heads: [:], truncated: [], pinned: [])
            for t in rows {
                if t.windowID != nil {
                    queue.pinned.append(t)
                } else {
                    queue.heads[Partition(group: t.groupID, ticketClass: t.ticketClass), default: []].append(t)
                }
            }
            for (p, list) in queue.heads where list.count >= entry.limits[p.group] ?? 0 { queue.truncated.insert(p) }
            box.withLockedValue { $0.queues[key] = queue }
        }
    }

    /// The heads of the queue for a window's call-next, from what the batch read and what its
    /// actions changed since: a ticket sent back to this window, then the first waiting ticket of
    /// each class among the window's groups. Nil when the batch did not read this queue, or when
    /// it may no longer hold the true head of some class; the caller then asks the database.
    func heads(center: UUID, day: String, window: UUID, groups: [UUID]) -> (pinned: HallRows.Ticket?, heads: [HallRows.Ticket])? {
        let s = box.withLockedValue { $0 }
        guard let q = s.queues[QueueKey(center: center, day: day)], q.windows.contains(window), groups.allSatisfy(q.groups.contains)
        else { return nil }
        let waiting = TicketState.waiting.rawValue
        /// The ticket as the batch has it now, if it still waits where it waited when read.
        func live(_ t: HallRows.Ticket) -> HallRows.Ticket? {
            let now = s.tickets[t.id] ?? t
            return now.state == waiting && now.windowID == t.windowID ? now : nil
        }
        func earlier(_ a: HallRows.Ticket, _ b: HallRows.Ticket) -> Bool { (a.queuedAt, a.sequence) < (b.queuedAt, b.sequence) }
        // Tickets that started waiting in this batch (issued, sent back, re-queued) were not read.
        var read: Set<UUID> = Set(q.pinned.map(\.id))
        for list in q.heads.values { read.formUnion(list.map(\.id)) }
        let fresh = s.dirtyTickets.compactMap { id -> HallRows.Ticket? in
            guard !read.contains(id), let t = s.tickets[id], t.state == waiting, t.centerID == center, t.day == day else { return nil }
            return t
        }
        let pinned = (q.pinned.compactMap(live) + fresh).filter { $0.windowID == window }.min(by: earlier)
        var heads: [HallRows.Ticket] = []
        let wanted = Set(groups)
        for c in TicketClass.allCases {
            var best = fresh.filter { $0.windowID == nil && $0.ticketClass == c.rawValue && wanted.contains($0.groupID) }.min(by: earlier)
            for g in groups {
                let p = Partition(group: g, ticketClass: c.rawValue)
                let first = q.heads[p]?.lazy.compactMap(live).first
                if first == nil, q.truncated.contains(p) { return nil }
                if let f = first, best.map({ earlier(f, $0) }) ?? true { best = f }
            }
            if let best { heads.append(best) }
        }
        return (pinned, heads)
    }

    func flush(on db: any Database) async throws {
        let s = box.withLockedValue { s -> State in
            let out = s
            s.dirtyTickets = []
            s.dirtySeats = []
            s.dirtyCounters = []
            s.ratings = []
            s.flags = []
            s.tallies = [:]
            for (id, t) in s.tickets { s.storedState[id] = t.state }
            return out
        }
        try await HallRows.writeCounters(s.dirtyCounters.map { ($0, s.counters[$0]!) }, on: db)
        try await HallRows.writeTickets(s.dirtyTickets.compactMap { s.tickets[$0] }, on: db)
        try await HallRows.writeSeats(s.dirtySeats.compactMap { s.seats[$0] }, on: db)
        try await HallRows.writeRatings(s.ratings, on: db)
        try await HallRows.writeFlags(s.flags, on: db)
        try await RatingFigures.apply(s.tallies, on: db)
    }

    func forget() { box.withLockedValue { $0 = State() } }

    var isEmpty: Bool {
        box.withLockedValue {
            $0.tickets.isEmpty && $0.seats.isEmpty && $0.counters.isEmpty && $0.ratings.isEmpty && $0.flags.isEmpty && $0.tallies.isEmpty
        }
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

    func wrote(_ f: RatingFlagModel) { box.withLockedValue { $0.flags.append(f) } }

    func wrote(_ deltas: [RatingFigures.Key: RatingTally]) {
        box.withLockedValue { $0.tallies.merge(deltas, uniquingKeysWith: +) }
    }
}

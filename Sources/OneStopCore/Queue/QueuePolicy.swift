/// The classes a ticket can be in, most urgent first. 军人依法优先 (military, also martyrs'
/// families) and 绿色通道 (the old, weak, sick, disabled and pregnant) are set by the hall guide
/// (导办) at the kiosk; an appointment checked in on time becomes `appointment`. 外地人员 (people
/// from elsewhere, who cannot easily come back) go through the green channel too where the center
/// switches that on.
public enum TicketClass: String, CaseIterable, Sendable, Codable {
    case military
    case green
    case nonLocal = "non_local"
    case appointment
    case ordinary

    /// Lower is called first among tickets that are not aged.
    public var rank: Int {
        switch self {
        case .military: 0
        case .green, .nonLocal: 1
        case .appointment: 2
        case .ordinary: 3
        }
    }

    public var isPriority: Bool { self != .ordinary }
}

/// A center's calling rule, configurable per center.
public struct QueuePolicy: Sendable, Equatable, Codable {
    /// After this many priority calls in a row while ordinary tickets wait, the next call is an
    /// ordinary ticket (3 → "3 priority, then 1 ordinary"). At least 1.
    public var interleave: Int
    /// A ticket waiting longer than this (seconds) moves ahead of every ticket that has not waited
    /// as long, whatever its class; 0 turns ageing off.
    public var ageingSeconds: Int
    /// How many times a no-show (过号) goes back into the queue before it expires.
    public var maxSkips: Int
    /// An appointment checked in from this many minutes before its slot until this many after is
    /// on time and gets the appointment class; later it is an ordinary ticket.
    public var checkInEarlyMinutes: Int
    public var checkInLateMinutes: Int

    public init(
        interleave: Int = 3, ageingSeconds: Int = 45 * 60, maxSkips: Int = 2, checkInEarlyMinutes: Int = 30,
        checkInLateMinutes: Int = 15
    ) {
        self.interleave = interleave
        self.ageingSeconds = ageingSeconds
        self.maxSkips = maxSkips
        self.checkInEarlyMinutes = checkInEarlyMinutes
        self.checkInLateMinutes = checkInLateMinutes
    }

    /// Field errors, named as the settings form and API name them.
    public func problems() -> [FieldError] {
        var out: [FieldError] = []
        if !(1...20).contains(interleave) { out.append(FieldError("interleave", "queue.interleaveRange")) }
        if !(0...(8 * 3600)).contains(ageingSeconds) { out.append(FieldError("ageingSeconds", "queue.ageingRange")) }
        if !(0...10).contains(maxSkips) { out.append(FieldError("maxSkips", "queue.maxSkipsRange")) }
        if !(0...240).contains(checkInEarlyMinutes) { out.append(FieldError("checkInEarlyMinutes", "queue.checkInRange")) }
        if !(0...240).contains(checkInLateMinutes) { out.append(FieldError("checkInLateMinutes", "queue.checkInRange")) }
        return out
    }

    /// The class an appointment check-in gets at `now` for a slot starting at `slotStart`
    /// (both in seconds since the epoch): on time → appointment; too early → refused (nil); late →
    /// an ordinary ticket.
    public func checkInClass(now: Int64, slotStart: Int64) -> TicketClass? {
        if now < slotStart - Int64(checkInEarlyMinutes) * 60 { return nil }
        if now <= slotStart + Int64(checkInLateMinutes) * 60 { return .appointment }
        return .ordinary
    }
}

/// A waiting ticket as the calling rule sees it.
public struct WaitingTicket: Sendable, Equatable {
    public var id: String
    public var group: String
    public var ticketClass: TicketClass
    /// When it (re)entered the queue, in seconds; FIFO is by this, then by `sequence`.
    public var queuedAt: Int64
    /// The ticket's number within its group and day: breaks ties of the same second.
    public var sequence: Int

    public init(id: String, group: String, ticketClass: TicketClass, queuedAt: Int64, sequence: Int) {
        self.id = id
        self.group = group
        self.ticketClass = ticketClass
        self.queuedAt = queuedAt
        self.sequence = sequence
    }
}

/// Chooses the next ticket for a window. Pure: the caller keeps `streak` (priority calls in a row
/// while ordinary tickets waited) per window and passes it back in.
///
/// 1. Aged tickets first (waited at least `ageingSeconds`), oldest first, whatever their class.
/// 2. Otherwise a priority ticket (military, then green, then appointment; FIFO within a class),
///    unless ordinary tickets wait and `interleave` priority calls have just been made.
/// 3. Otherwise the oldest ordinary ticket.
public enum CallingRule {
    public struct Choice: Sendable, Equatable {
        public var ticket: WaitingTicket
        public var streak: Int

        public init(ticket: WaitingTicket, streak: Int) {
            self.ticket = ticket
            self.streak = streak
        }
    }

    public static func next(
        from waiting: [WaitingTicket], groups: Set<String>, policy: QueuePolicy, streak: Int, now: Int64
    ) -> Choice? {
        var oldestAged: WaitingTicket?
        var bestPriority: WaitingTicket?
        var oldestOrdinary: WaitingTicket?
        for t in waiting where groups.contains(t.group) {
            if policy.ageingSeconds > 0, now - t.queuedAt >= Int64(policy.ageingSeconds), earlier(t, than: oldestAged) {
                oldestAged = t
            }
            if t.ticketClass.isPriority {
                if let b = bestPriority {
                    if t.ticketClass.rank < b.ticketClass.rank || (t.ticketClass == b.ticketClass && earlier(t, than: b)) {
                        bestPriority = t
                    }
                } else {
                    bestPriority = t
                }
            } else if earlier(t, than: oldestOrdinary) {
                oldestOrdinary = t
            }
        }
        let ordinaryWaiting = oldestOrdinary != nil
        func chosen(_ t: WaitingTicket) -> Choice {
            let s = t.ticketClass.isPriority ? (ordinaryWaiting ? streak + 1 : 0) : 0
            return Choice(ticket: t, streak: s)
        }
        if let aged = oldestAged { return chosen(aged) }
        if let p = bestPriority, !ordinaryWaiting || streak < max(1, policy.interleave) { return chosen(p) }
        if let o = oldestOrdinary { return chosen(o) }
        return nil
    }

    static func earlier(_ a: WaitingTicket, than b: WaitingTicket?) -> Bool {
        guard let b else { return true }
        return (a.queuedAt, a.sequence, a.id) < (b.queuedAt, b.sequence, b.id)
    }
}

/// Ticket numbers: the group's letter and the day's sequence, at least three digits (A001, B023,
/// A1024).
public enum TicketNumber {
    public static func format(prefix: String, sequence: Int) -> String {
        let digits = String(sequence)
        return prefix + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// A group prefix is one to two upper-case Latin letters.
    public static func validPrefix(_ p: String) -> Bool {
        (1...2).contains(p.count) && p.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) }
    }
}

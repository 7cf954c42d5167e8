import OneStopCore
import Testing

/// A simulated hall: tickets arrive at random with random classes and groups, one window calls.
/// Every call is checked against `check`, which sees the waiting list as it was at the call.
func simulate(
    seed: UInt64, policy: QueuePolicy, groups: Set<String> = ["A", "B"], steps: Int = 400,
    check: (_ waiting: [WaitingTicket], _ called: WaitingTicket, _ now: Int64, _ history: [WaitingTicket]) -> Void
) {
    var rng = SplitMix(seed: seed)
    var waiting: [WaitingTicket] = []
    var history: [WaitingTicket] = []
    var streak = 0
    var now: Int64 = 8 * 3600
    var sequence = 0
    for _ in 0..<steps {
        now += Int64.random(in: 0...120, using: &rng)
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            sequence += 1
            let cls: TicketClass =
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: .military
                case 1, 2: .green
                case 3: .appointment
                default: .ordinary
                }
            waiting.append(
                WaitingTicket(
                    id: "t\(sequence)", group: ["A", "B", "C"].randomElement(using: &rng)!, ticketClass: cls, queuedAt: now,
                    sequence: sequence))
        }
        guard let choice = CallingRule.next(from: waiting, groups: groups, policy: policy, streak: streak, now: now) else {
            #expect(!waiting.contains { groups.contains($0.group) })
            continue
        }
        check(waiting, choice.ticket, now, history)
        history.append(choice.ticket)
        streak = choice.streak
        waiting.removeAll { $0.id == choice.ticket.id }
    }
}

@Suite("Queue rules")
struct QueueTests {
    @Test("no ordinary ticket waits through more than `interleave` priority calls in a row", arguments: [1, 2, 3, 5])
    func noStarvation(interleave: Int) {
        for seed in UInt64(1)...40 {
            var run = 0
            simulate(seed: seed, policy: QueuePolicy(interleave: interleave, ageingSeconds: 0)) { waiting, called, _, _ in
                let ordinaryWaiting = waiting.contains { $0.ticketClass == .ordinary && ["A", "B"].contains($0.group) }
                if called.ticketClass.isPriority {
                    if ordinaryWaiting { run += 1 } else { run = 0 }
                    #expect(run <= interleave, "seed \(seed): \(run) priority calls in a row while ordinary tickets waited")
                } else {
                    run = 0
                }
            }
        }
    }

    @Test("first in, first out within a class; classes by rank; only the window's groups")
    func fifoWithinClass() {
        for seed in UInt64(1)...40 {
            simulate(seed: seed, policy: QueuePolicy(interleave: 3, ageingSeconds: 0)) { waiting, called, _, _ in
                #expect(["A", "B"].contains(called.group))
                let mine = waiting.filter { ["A", "B"].contains($0.group) }
                let earlierSameClass = mine.contains {
                    $0.ticketClass == called.ticketClass && ($0.queuedAt, $0.sequence) < (called.queuedAt, called.sequence)
                }
                #expect(!earlierSameClass, "seed \(seed): \(called.id) called before an earlier ticket of its class")
                if called.ticketClass.isPriority {
                    #expect(
                        !mine.contains { $0.ticketClass.rank < called.ticketClass.rank }, "seed \(seed): a more urgent class was waiting")
                }
            }
        }
    }

    @Test("a ticket that waited past the ageing time goes before every ticket that has not")
    func ageing() {
        let policy = QueuePolicy(interleave: 3, ageingSeconds: 600)
        var agedCalls = 0
        for seed in UInt64(1)...40 {
            simulate(seed: seed, policy: policy) { waiting, called, now, _ in
                let aged = waiting.filter { ["A", "B"].contains($0.group) && now - $0.queuedAt >= 600 }
                guard let oldest = aged.min(by: { ($0.queuedAt, $0.sequence) < ($1.queuedAt, $1.sequence) }) else { return }
                agedCalls += 1
                #expect(called == oldest, "seed \(seed): \(called.id) called while \(oldest.id) had aged")
            }
        }
        #expect(agedCalls > 0, "the simulation never aged a ticket: the property was not exercised")
        // Without ageing, a military ticket goes first however long an ordinary one waited.
        let old = WaitingTicket(id: "o", group: "A", ticketClass: .ordinary, queuedAt: 0, sequence: 1)
        let mil = WaitingTicket(id: "m", group: "A", ticketClass: .military, queuedAt: 5000, sequence: 2)
        #expect(CallingRule.next(from: [old, mil], groups: ["A"], policy: .init(ageingSeconds: 0), streak: 0, now: 5000)?.ticket == mil)
        #expect(CallingRule.next(from: [old, mil], groups: ["A"], policy: policy, streak: 0, now: 5000)?.ticket == old)
    }

    @Test("the interleave counts only priority calls made while ordinary tickets waited")
    func streakCounting() {
        let p = QueuePolicy(interleave: 2, ageingSeconds: 0)
        let g = WaitingTicket(id: "g", group: "A", ticketClass: .green, queuedAt: 10, sequence: 2)
        let o = WaitingTicket(id: "o", group: "A", ticketClass: .ordinary, queuedAt: 0, sequence: 1)
        #expect(CallingRule.next(from: [g], groups: ["A"], policy: p, streak: 5, now: 20) == .init(ticket: g, streak: 0))
        #expect(CallingRule.next(from: [g, o], groups: ["A"], policy: p, streak: 1, now: 20) == .init(ticket: g, streak: 2))
        #expect(CallingRule.next(from: [g, o], groups: ["A"], policy: p, streak: 2, now: 20) == .init(ticket: o, streak: 0))
        #expect(CallingRule.next(from: [g, o], groups: ["B"], policy: p, streak: 0, now: 20) == nil)
    }

    @Test("skips return a ticket to the queue up to the limit, then it expires; closed tickets refuse everything")
    func lifecycle() {
        let p = QueuePolicy(maxSkips: 2)
        #expect(TicketLifecycle.apply(.skip, to: .called, skips: 0, policy: p) == .moved(to: .waiting))
        #expect(TicketLifecycle.apply(.skip, to: .called, skips: 1, policy: p) == .moved(to: .waiting))
        #expect(TicketLifecycle.apply(.skip, to: .called, skips: 2, policy: p) == .moved(to: .expired))
        #expect(TicketLifecycle.apply(.skip, to: .called, skips: 0, policy: QueuePolicy(maxSkips: 0)) == .moved(to: .expired))
        #expect(TicketLifecycle.apply(.start, to: .waiting, skips: 0, policy: p) == .refused("queue.notCalled"))
        #expect(TicketLifecycle.apply(.finish, to: .called, skips: 0, policy: p) == .refused("queue.notServing"))
        #expect(TicketLifecycle.apply(.resume, to: .serving, skips: 0, policy: p) == .refused("queue.notParked"))
        #expect(TicketLifecycle.apply(.park, to: .serving, skips: 0, policy: p) == .moved(to: .parked))
        #expect(TicketLifecycle.apply(.transfer, to: .parked, skips: 0, policy: p) == .moved(to: .transferred))
        for closed in [TicketState.finished, .expired, .transferred] {
            for action in TicketAction.allCases {
                #expect(TicketLifecycle.apply(action, to: closed, skips: 0, policy: p) == .refused("queue.ticketClosed"))
            }
        }
        // Every action is allowed from some open state, and a finished ticket is reachable only through service.
        for action in TicketAction.allCases {
            #expect(
                TicketState.allCases.contains {
                    if case .moved = TicketLifecycle.apply(action, to: $0, skips: 0, policy: p) { true } else { false }
                })
        }
    }

    @Test("numbers, check-in windows, settings, estimates and percentiles")
    func numbersAndMeasures() {
        #expect(TicketNumber.format(prefix: "A", sequence: 23) == "A023")
        #expect(TicketNumber.format(prefix: "B", sequence: 1) == "B001")
        #expect(TicketNumber.format(prefix: "GC", sequence: 1024) == "GC1024")
        #expect(TicketNumber.validPrefix("A") && TicketNumber.validPrefix("GC"))
        #expect(
            !TicketNumber.validPrefix("") && !TicketNumber.validPrefix("a") && !TicketNumber.validPrefix("ABC")
                && !TicketNumber.validPrefix("甲"))

        let p = QueuePolicy(checkInEarlyMinutes: 30, checkInLateMinutes: 15)
        let slot: Int64 = 10 * 3600
        #expect(p.checkInClass(now: slot - 31 * 60, slotStart: slot) == nil)
        #expect(p.checkInClass(now: slot - 30 * 60, slotStart: slot) == .appointment)
        #expect(p.checkInClass(now: slot + 15 * 60, slotStart: slot) == .appointment)
        #expect(p.checkInClass(now: slot + 15 * 60 + 1, slotStart: slot) == .ordinary)

        #expect(QueuePolicy().problems().isEmpty)
        #expect(
            QueuePolicy(interleave: 0, ageingSeconds: -1, maxSkips: 11).problems().map(\.field) == [
                "interleave", "ageingSeconds", "maxSkips",
            ])

        #expect(QueueMeasures.estimatedWaitSeconds(ahead: 6, openWindows: 3, meanServiceSeconds: 240) == 480)
        #expect(QueueMeasures.estimatedWaitSeconds(ahead: 2, openWindows: 0, meanServiceSeconds: nil) == 600)
        #expect(QueueMeasures.percentile([], 90) == nil)
        #expect(QueueMeasures.percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 90) == 9)
        #expect(QueueMeasures.percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 50) == 5)
    }
}

@Suite("Hall alerts")
struct HallAlertTests {
    @Test("a group waiting with no open window, and waits past the target, longest first; nothing while closed")
    func alerts() {
        let groups = [
            HallAlert.Group(prefix: "A", waiting: 5, openWindows: 2, longestWaitSeconds: 25 * 60),
            HallAlert.Group(prefix: "B", waiting: 1, openWindows: 0, longestWaitSeconds: 3 * 60),
            HallAlert.Group(prefix: "C", waiting: 0, openWindows: 0, longestWaitSeconds: 0),
            HallAlert.Group(prefix: "D", waiting: 2, openWindows: 1, longestWaitSeconds: 40 * 60),
            HallAlert.Group(prefix: "E", waiting: 3, openWindows: 1, longestWaitSeconds: 20 * 60),
        ]
        #expect(
            HallAlert.check(groups, targetMinutes: 20, hallOpen: true) == [
                .noOpenWindow(group: "B", waiting: 1),
                .overTarget(group: "D", waitedSeconds: 2400, targetMinutes: 20),
                .overTarget(group: "A", waitedSeconds: 1500, targetMinutes: 20),
            ])
        #expect(HallAlert.check(groups, targetMinutes: 20, hallOpen: false).isEmpty)
    }
}

@Suite("Staffing forecast (Erlang C)")
struct StaffingTests {
    @Test("the probability of waiting matches the published Erlang C tables")
    func tables() {
        // Exact: C(2, 1) = 1/3, C(3, 2) = 4/9.
        #expect(abs(ErlangC.waitProbability(servers: 2, traffic: 1) - 1.0 / 3) < 1e-12)
        #expect(abs(ErlangC.waitProbability(servers: 3, traffic: 2) - 4.0 / 9) < 1e-12)
        // A = 10 erlangs: N = 11 68.21 %, 12 44.94 %, 13 28.53 %, 15 10.20 % (Erlang C tables).
        for (n, p) in [(11, 0.6821), (12, 0.4494), (13, 0.2853), (15, 0.1020)] {
            #expect(abs(ErlangC.waitProbability(servers: n, traffic: 10) - p) < 0.00005, "N = \(n)")
        }
        #expect(ErlangC.waitProbability(servers: 10, traffic: 10) == 1)  // cannot keep up
        #expect(ErlangC.waitProbability(servers: 3, traffic: 0) == 0)
        // Stable far beyond what factorials allow.
        let big = ErlangC.waitProbability(servers: 400, traffic: 380)
        #expect(big > 0 && big < 1)
    }

    @Test("the windows needed keep the 90th-percentile wait within the target")
    func needed() {
        // 30 visitors an hour, 10 minutes each (5 erlangs): six windows keep 90 % within 20 minutes
        // (p90 ≈ 1,062 s), eight within 5 minutes (≈ 103 s); nine and nearly nobody waits long.
        #expect(ErlangC.serversNeeded(arrivalsPerHour: 30, meanServiceSeconds: 600, targetSeconds: 1200) == 6)
        #expect(ErlangC.serversNeeded(arrivalsPerHour: 30, meanServiceSeconds: 600, targetSeconds: 300) == 8)
        let p90 = ErlangC.waitPercentile(0.9, servers: 6, arrivalsPerHour: 30, meanServiceSeconds: 600)!
        #expect(abs(p90 - 1062.4) < 0.5)
        #expect(ErlangC.waitPercentile(0.9, servers: 9, arrivalsPerHour: 30, meanServiceSeconds: 600) == 0)
        #expect(ErlangC.serversNeeded(arrivalsPerHour: 0, meanServiceSeconds: 600, targetSeconds: 60) == 0)
        // Five windows for five erlangs can never keep up.
        #expect(ErlangC.waitPercentile(0.9, servers: 5, arrivalsPerHour: 30, meanServiceSeconds: 600) == nil)
    }

    @Test("a forecast takes the mean arrivals of the observed days, hour by hour")
    func plan() {
        // Four Mondays: 120 arrivals in the 9 o'clock hour (30 a day), 8 in the 12 o'clock hour.
        let p = StaffingForecast.plan(arrivals: [9: 120, 12: 8], days: 4, meanServiceSeconds: 600, targetSeconds: 1200)
        #expect(p.map(\.hour) == [9, 12])
        #expect(p[0].arrivalsPerHour == 30 && p[0].windows == 6)
        #expect(p[1].arrivalsPerHour == 2 && p[1].windows == 1)
        #expect(StaffingForecast.plan(arrivals: [9: 3], days: 0, meanServiceSeconds: 600, targetSeconds: 1200).isEmpty)
    }
}

@Suite("People from elsewhere")
struct NonLocalClassTests {
    @Test("外地人员 go through the green channel: the same rank as green, a priority class")
    func rank() {
        #expect(TicketClass.nonLocal.rank == TicketClass.green.rank && TicketClass.nonLocal.isPriority)
        #expect(TicketClass(rawValue: "non_local") == .nonLocal)
    }

    @Test("a special mark: empty clears it, an unknown kind or a long reason is refused; marked rows lead, in order")
    func special() throws {
        #expect(try SpecialHandling.validate(kind: "", reason: nil).get().0 == nil)
        #expect(try SpecialHandling.validate(kind: "non_local", reason: " 外省来办 ").get() == (.nonLocal, "外省来办"))
        #expect(throws: ValidationFailure.self) { try SpecialHandling.validate(kind: "vip", reason: "x").get() }
        #expect(throws: ValidationFailure.self) {
            try SpecialHandling.validate(kind: "elderly", reason: String(repeating: "长", count: 201)).get()
        }
        #expect(SpecialHandling.leading([1, 2, 3, 4, 5]) { $0 % 2 == 0 } == [2, 4, 1, 3, 5])
    }
}

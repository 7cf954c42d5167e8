/// Where a ticket is in its day. Called tickets belong to one window until they are started,
/// skipped, transferred or recalled.
public enum TicketState: String, CaseIterable, Sendable, Codable {
    case waiting
    case called
    case serving
    /// 挂起: the visitor stepped away mid-service (to copy a paper, to pay); the window resumes it.
    case parked
    case finished
    /// Skipped more often than the policy allows, or left when the day closed.
    case expired
    /// Moved to another group: a new waiting ticket there carries the visit on.
    case transferred
}

/// What a window can do to a ticket.
public enum TicketAction: String, CaseIterable, Sendable, Codable {
    case call
    case recall
    case skip
    case start
    case park
    case resume
    case transfer
    case finish
}

/// The ticket state machine: which action is allowed in which state, and where it leads. The
/// server applies the result in one transaction with the ticket row locked (or, on SQLite, under
/// the single writer), so two windows can never both move one ticket.
public enum TicketLifecycle {
    public enum Outcome: Sendable, Equatable {
        case moved(to: TicketState)
        /// Refused: the error code (`queue.notCalled`, …) for the user's message.
        case refused(String)
    }

    /// `skips` is how many times the ticket was skipped before this action; a skip that reaches
    /// `policy.maxSkips + 1` expires it.
    public static func apply(_ action: TicketAction, to state: TicketState, skips: Int, policy: QueuePolicy) -> Outcome {
        switch (action, state) {
        case (.call, .waiting): .moved(to: .called)
        case (.recall, .called): .moved(to: .called)
        case (.skip, .called): .moved(to: skips >= policy.maxSkips ? .expired : .waiting)
        case (.start, .called): .moved(to: .serving)
        case (.park, .serving): .moved(to: .parked)
        case (.resume, .parked): .moved(to: .serving)
        case (.transfer, .called), (.transfer, .serving), (.transfer, .parked): .moved(to: .transferred)
        case (.finish, .serving): .moved(to: .finished)
        case (_, .finished), (_, .expired), (_, .transferred): .refused("queue.ticketClosed")
        case (.call, _): .refused("queue.notWaiting")
        case (.recall, _), (.skip, _), (.start, _): .refused("queue.notCalled")
        case (.park, _), (.finish, _): .refused("queue.notServing")
        case (.resume, _): .refused("queue.notParked")
        case (.transfer, _): .refused("queue.notCalled")
        }
    }
}

/// Hall measures of DOMAIN.md section 3, from times in seconds.
public enum QueueMeasures {
    /// The estimated wait of a new ticket: the people ahead served by the open windows that take
    /// the group, at the group's recent mean service time (a default before there is any).
    public static func estimatedWaitSeconds(ahead: Int, openWindows: Int, meanServiceSeconds: Double?) -> Int {
        let mean = meanServiceSeconds ?? 300
        let windows = max(1, openWindows)
        return Int((Double(ahead) * mean / Double(windows)).rounded())
    }

    /// The q-th percentile (0...100) by nearest rank; nil for no values.
    public static func percentile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((q / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

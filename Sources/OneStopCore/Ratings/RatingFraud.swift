/// 防刷评 — GB/T 39734 §4.1 forbids forced, induced, proxy and fake ratings. Some of it is refused
/// outright (a member of staff rating their own service or a case they handle; a second rating of
/// one ticket, or of one case and round by one identity). The rest cannot be told from honest use
/// with certainty, so it is flagged for a supervisor with the reason, never dropped: many ratings
/// from one device, phone or address in a short time; an evaluator answered faster than a person
/// can read it; one identity rating many cases of one window in a day.
public enum RatingFraud {
    /// What is known of a rating when the rules look at it.
    public struct Fact: Sendable, Equatable {
        /// Milliseconds since 1970.
        public var at: Int64
        /// The device, the phone's blind index or the client address it came from ("" unknown).
        public var source: String
        /// The rater's identity (blind index) when real-name.
        public var identity: String?
        public var windowID: String?
        public var caseID: String?
        /// For an evaluator: when it put the question (the visit's end), milliseconds.
        public var askedAt: Int64?
        /// The center's day it was given ("2026-11-03").
        public var day: String

        public init(
            at: Int64, source: String, identity: String? = nil, windowID: String? = nil, caseID: String? = nil,
            askedAt: Int64? = nil, day: String
        ) {
            self.at = at
            self.source = source
            self.identity = identity
            self.windowID = windowID
            self.caseID = caseID
            self.askedAt = askedAt
            self.day = day
        }
    }

    public enum Signal: String, Sendable, Codable, CaseIterable {
        /// Many ratings from one source in a short time.
        case burst
        /// Answered faster than a person can read the question.
        case tooFast = "too_fast"
        /// One identity rating many cases of one window in a day.
        case sameWindowMany = "same_window_many"
    }

    public struct Thresholds: Sendable, Equatable {
        /// `burstCount` ratings from one source within `burstSeconds`.
        public var burstCount = 5
        public var burstSeconds: Int64 = 60
        /// An evaluator answered within this many milliseconds of asking.
        public var fastestMillis: Int64 = 1500
        /// One identity rating this many different cases of one window in a day.
        public var sameWindowCases = 3

        public init() {}
    }

    /// A signal with what was measured: how many ratings came from the source within the burst
    /// window (the new one included), how many milliseconds the evaluator's answer took, how many
    /// cases of the window the identity rated that day.
    public struct Flag: Sendable, Equatable {
        public var signal: Signal
        public var measured: Int64

        public init(_ signal: Signal, measured: Int64) {
            self.signal = signal
            self.measured = measured
        }
    }

    /// The signals a new rating raises, given the recent ratings it is compared with (those of the
    /// same source in the burst window, and those of the same identity that day; others are ignored).
    public static func flags(_ new: Fact, recent: [Fact], thresholds t: Thresholds = .init()) -> [Flag] {
        var out: [Flag] = []
        if !new.source.isEmpty {
            let same = recent.filter { $0.source == new.source && new.at - $0.at < t.burstSeconds * 1000 && $0.at <= new.at }
            if same.count + 1 >= t.burstCount { out.append(Flag(.burst, measured: Int64(same.count + 1))) }
        }
        if let asked = new.askedAt, new.at - asked < t.fastestMillis { out.append(Flag(.tooFast, measured: max(0, new.at - asked))) }
        if let id = new.identity, let w = new.windowID, let c = new.caseID {
            var cases = Set(recent.filter { $0.identity == id && $0.windowID == w && $0.day == new.day }.compactMap(\.caseID))
            cases.insert(c)
            if cases.count >= t.sameWindowCases { out.append(Flag(.sameWindowMany, measured: Int64(cases.count))) }
        }
        return out
    }

    public static func signals(_ new: Fact, recent: [Fact], thresholds t: Thresholds = .init()) -> [Signal] {
        flags(new, recent: recent, thresholds: t).map(\.signal)
    }

    /// Why a rating is refused outright (a message key), or nil: the rater is the staff member
    /// who served or handles it, or this identity has rated this case in this round already.
    /// On the hotline, the operator who records it counts as the rater for the first rule, and a
    /// caller with the operator's own phone is the operator rating on their own behalf.
    public static func refusal(
        raterStaffID: String?, servedBy staffID: String?, handlers: Set<String>, alreadyRatedThisRound: Bool,
        callerIsOperator: Bool = false
    ) -> String? {
        if let r = raterStaffID, r == staffID || handlers.contains(r) { return "rating.ownService" }
        if callerIsOperator { return "rating.ownBehalf" }
        if alreadyRatedThisRound { return "rating.alreadyRated" }
        return nil
    }
}

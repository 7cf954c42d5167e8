import Foundation

/// The Erlang C model of a queue served by several windows alike (M/M/c): visitors arrive at
/// random at a steady rate, each window serves one at a time for a random, exponentially
/// distributed time, and a visitor waits for the first window free.
public enum ErlangC {
    /// The probability that a visitor has to wait at all, with `servers` windows and `traffic`
    /// erlangs (arrival rate × mean service time). 1 when the windows cannot keep up (`servers` ≤
    /// `traffic`): the queue grows without end.
    public static func waitProbability(servers c: Int, traffic a: Double) -> Double {
        guard a > 0 else { return 0 }
        guard c > 0, Double(c) > a else { return 1 }
        // Erlang B by its recurrence (no factorials, stable for hundreds of servers), then C.
        var b = 1.0
        for k in 1...c { b = a * b / (Double(k) + a * b) }
        return Double(c) * b / (Double(c) - a * (1 - b))
    }

    /// The probability that a visitor waits longer than `seconds`.
    public static func waitExceeds(
        _ seconds: Double, servers c: Int, arrivalsPerHour: Double, meanServiceSeconds s: Double
    ) -> Double {
        let lambda = arrivalsPerHour / 3600
        let a = lambda * s
        let p = waitProbability(servers: c, traffic: a)
        guard p < 1 else { return 1 }
        return p * exp(-(Double(c) / s - lambda) * seconds)
    }

    /// The wait that `percentile` of visitors do not exceed (0 when that many never wait), or nil
    /// when the windows cannot keep up.
    public static func waitPercentile(
        _ percentile: Double, servers c: Int, arrivalsPerHour: Double, meanServiceSeconds s: Double
    ) -> Double? {
        let lambda = arrivalsPerHour / 3600
        let p = waitProbability(servers: c, traffic: lambda * s)
        guard p < 1 else { return nil }
        let tail = 1 - percentile
        guard p > tail else { return 0 }
        return log(p / tail) / (Double(c) / s - lambda)
    }

    /// The fewest windows that keep the `percentile` wait within `targetSeconds`; 0 when nobody
    /// arrives, nil when even `limit` windows would not.
    public static func serversNeeded(
        arrivalsPerHour: Double, meanServiceSeconds s: Double, targetSeconds: Double, percentile: Double = 0.9, limit: Int = 200
    ) -> Int? {
        guard arrivalsPerHour > 0, s > 0 else { return 0 }
        let a = arrivalsPerHour / 3600 * s
        var c = max(1, Int(a.rounded(.down)) + 1)
        while c <= limit {
            if let w = waitPercentile(percentile, servers: c, arrivalsPerHour: arrivalsPerHour, meanServiceSeconds: s), w <= targetSeconds {
                return c
            }
            c += 1
        }
        return nil
    }
}

/// Tomorrow's windows, hour by hour, from the arrivals and service times of the same weekday in
/// the last weeks.
public enum StaffingForecast {
    public struct Hour: Sendable, Equatable {
        public var hour: Int
        /// Mean arrivals in this hour on the days observed.
        public var arrivalsPerHour: Double
        /// Windows needed to keep the 90th-percentile wait within the target; nil past any number.
        public var windows: Int?
        /// The 90th-percentile wait with that many windows, in seconds.
        public var p90WaitSeconds: Double?
    }

    /// - Parameters:
    ///   - arrivals: visitors who took a ticket in each hour (0–23), summed over the days observed.
    ///   - days: how many days were observed (the same weekday, hall open).
    ///   - meanServiceSeconds: the group's mean service time.
    public static func plan(
        arrivals: [Int: Int], days: Int, meanServiceSeconds: Double, targetSeconds: Double, percentile: Double = 0.9
    ) -> [Hour] {
        guard days > 0 else { return [] }
        return arrivals.keys.sorted().map { h in
            let rate = Double(arrivals[h] ?? 0) / Double(days)
            let n = ErlangC.serversNeeded(
                arrivalsPerHour: rate, meanServiceSeconds: meanServiceSeconds, targetSeconds: targetSeconds, percentile: percentile)
            let wait = n.flatMap {
                $0 == 0
                    ? 0 : ErlangC.waitPercentile(percentile, servers: $0, arrivalsPerHour: rate, meanServiceSeconds: meanServiceSeconds)
            }
            return Hour(hour: h, arrivalsPerHour: rate, windows: n, p90WaitSeconds: wait)
        }
    }
}

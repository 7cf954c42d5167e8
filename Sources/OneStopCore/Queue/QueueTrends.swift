import Foundation

/// The report's charts (DOMAIN.md section 3): tickets and waits by hour of the day, tickets by
/// group, and a day-by-day trend, all in the center's time zone. Waits are in minutes, as the
/// managers read them.
public enum QueueTrends {
    /// One ticket as the charts need it: its group, when it was issued and when service began.
    public struct Ticket: Sendable {
        public var group: String
        public var issued: Int64
        public var started: Int64?

        public init(group: String, issued: Int64, started: Int64?) {
            self.group = group
            self.issued = issued
            self.started = started
        }
    }

    /// A bucket of tickets: how many were issued in it and the mean wait of those that were
    /// served (nil when none began).
    public struct Bucket: Sendable, Equatable, Codable {
        public var key: String
        /// What the reader sees for the key; the key until the caller names it (a group).
        public var label: String
        public var tickets: Int
        public var meanWaitMinutes: Double?

        public init(key: String, tickets: Int, meanWaitMinutes: Double?) {
            self.key = key
            self.label = key
            self.tickets = tickets
            self.meanWaitMinutes = meanWaitMinutes
        }
    }

    /// Buckets by the hour the ticket was issued ("08" … "17"), from the first hour with a ticket
    /// to the last, with empty hours between them kept so that the chart's axis is even.
    public static func byHour(_ tickets: [Ticket], zone: TimeZone) -> [Bucket] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let hours = tickets.map { cal.component(.hour, from: Date(timeIntervalSince1970: Double($0.issued) / 1000)) }
        guard let first = hours.min(), let last = hours.max() else { return [] }
        let buckets = bucket(zip(hours, tickets).map { (String(format: "%02d", $0), $1) })
        let found = Dictionary(buckets.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return (first...last).map { h in
            let k = String(format: "%02d", h)
            return found[k] ?? Bucket(key: k, tickets: 0, meanWaitMinutes: nil)
        }
    }

    /// Buckets by day ("2026-09-21"), every day from `from` to `to` included, empty days as zero.
    public static func byDay(_ tickets: [Ticket], zone: TimeZone, from: CivilDate, to: CivilDate) -> [Bucket] {
        let keyed = tickets.map { (CivilDate.of(Date(timeIntervalSince1970: Double($0.issued) / 1000), in: zone).description, $0) }
        let found = Dictionary(bucket(keyed).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        guard from <= to else { return [] }
        return (from.dayNumber...to.dayNumber).map { n in
            let k = CivilDate(dayNumber: n).description
            return found[k] ?? Bucket(key: k, tickets: 0, meanWaitMinutes: nil)
        }
    }

    /// Buckets by group, in the order the groups are given; groups without tickets are left out.
    public static func byGroup(_ tickets: [Ticket], order: [String]) -> [Bucket] {
        let found = Dictionary(bucket(tickets.map { ($0.group, $0) }).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let known = order.compactMap { found[$0] }
        let others = found.values.filter { !order.contains($0.key) }.sorted { $0.key < $1.key }
        return known + others
    }

    static func bucket(_ keyed: [(String, Ticket)]) -> [Bucket] {
        var count: [String: Int] = [:]
        var waits: [String: [Double]] = [:]
        for (k, t) in keyed {
            count[k, default: 0] += 1
            if let s = t.started { waits[k, default: []].append(Double(max(0, s - t.issued)) / 60_000) }
        }
        return count.keys.sorted().map { k in
            Bucket(key: k, tickets: count[k] ?? 0, meanWaitMinutes: QueueReport.mean(waits[k] ?? []))
        }
    }
}

import Foundation

/// Fees charged on a decision, against the fee standard the guide publishes (DOMAIN.md §2, §5: a
/// fee outside the published standard is an anomaly of supervision).
public enum CaseFees {
    /// The largest fee a window records: 1,000,000 元.
    public static let maximumCents = 100_000_000

    /// An amount in 元 as typed ("12", "12.5", "12.50"), in cents; nil when it is not an amount of
    /// 0–1,000,000 元 with at most two decimals.
    public static func cents(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let yuan = Int(parts[0]), yuan >= 0, parts[0].allSatisfy(\.isASCII),
            parts[0].allSatisfy(\.isNumber)
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(f) else { return nil }
            fraction = f.count == 1 ? v * 10 : v
        }
        let (c, overflow) = yuan.multipliedReportingOverflow(by: 100)
        guard !overflow, c + fraction <= maximumCents else { return nil }
        return c + fraction
    }

    /// Cents as 元 for print: `1250` → `12.50`.
    public static func yuan(_ cents: Int) -> String {
        String(format: "%d.%02d", cents / 100, cents % 100)
    }

    /// The amounts a published standard names: every number followed by 元 (`每件 10 元`,
    /// `工本费5元/本`, `12.5元`), in cents.
    public static func amounts(in standard: String) -> [Int] {
        var out: [Int] = []
        var number = ""
        for ch in standard + " " {
            if ch.isASCII && (ch.isNumber || ch == ".") {
                number.append(ch)
                continue
            }
            if ch == "元", !number.isEmpty, let c = cents(number) { out.append(c) }
            if !(ch == " " && !number.isEmpty) { number = "" }
        }
        return out
    }

    /// Whether a charge lies outside the published standard: anything charged for a free item; for
    /// a charged one, an amount that is not a whole number of the standard's amounts (per piece,
    /// per copy). Nothing charged is never outside (a waiver). nil when the standard names no
    /// amount to check against.
    public static func outside(charged: Int, free: Bool, standard: String?) -> Bool? {
        if charged == 0 { return false }
        if free { return true }
        let amounts = amounts(in: standard ?? "").filter { $0 > 0 }
        guard !amounts.isEmpty else { return nil }
        return !amounts.contains { charged % $0 == 0 }
    }
}

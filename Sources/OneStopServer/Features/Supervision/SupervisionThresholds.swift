import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Items' thresholds as read lately on this instance: intake and every move need them. A change
/// on this instance drops the item's entry at once (`setThresholds`); one made on another instance
/// is seen within `ttl`.
final class ThresholdCache: Sendable {
    static let ttl: UInt64 = 2_000_000_000
    private let cache = TimedCache<UUID, SupervisionThresholds>(ttl: ttl)

    func thresholds(item: UUID, on db: any Database) async throws -> SupervisionThresholds {
        try await cache.value(item, shared: !db.inTransaction) { try await Supervision.thresholds(item: item, on: db) }
    }

    func forget(_ item: UUID) { cache.remove(item) }
}

extension Application {
    private struct ThresholdCacheKey: StorageKey { typealias Value = ThresholdCache }

    var thresholdCache: ThresholdCache {
        if let c = storage[ThresholdCacheKey.self] { return c }
        let c = ThresholdCache()
        storage[ThresholdCacheKey.self] = c
        return c
    }
}

extension Supervision {
    /// The item's thresholds, or the standard ones, read now (`ThresholdCache` keeps them a moment).
    static func thresholds(item: UUID, on db: any Database) async throws -> SupervisionThresholds {
        struct Row: Decodable {
            var reminderDays: String
            var yellowAfter: Int
            var redAfter: Int
            var explainWithin: Int
            enum CodingKeys: String, CodingKey {
                case reminderDays = "reminder_days", yellowAfter = "yellow_after", redAfter = "red_after"
                case explainWithin = "explain_within"
            }
        }
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        guard
            let s = try await sql.raw(
                "SELECT reminder_days, yellow_after, red_after, explain_within FROM supervision_settings WHERE item_id = \(bind: item)"
            ).first(decoding: Row.self)
        else { return .standard }
        return SupervisionThresholds(
            reminderDays: s.reminderDays.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) },
            yellowAfterPromised: s.yellowAfter, redAfterLegal: s.redAfter, explainWithin: s.explainWithin)
    }
}

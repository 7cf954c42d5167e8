import Fluent
import Foundation
import SQLKit

/// The hall's rating rows on the hot path (see `HallRows`): written with the batch, else at once.
extension HallRows {
    /// A rating record (inside a batch, written with the batch).
    static func insert(_ r: RatingModel, on db: any Database) async throws {
        if let batch = HallBatch.current { return batch.wrote(r) }
        try await writeRatings([r], on: db)
    }

    static func writeRatings(_ ratings: [RatingModel], on db: any Database) async throws {
        try await SQLRows.insert(
            into: "ratings",
            columns: "id, center_id, department_id, window_id, staff_id, item_id, case_id, ticket_id, channel, rater_kind, "
                + "rater_identity, level, tags, text, at, round, source, operator, caller_name, caller_phone",
            ratings.map { r in
                [
                    SQLBind(r.id), SQLBind(r.centerID), SQLBind(r.departmentID), SQLBind(r.windowID), SQLBind(r.staffID),
                    SQLBind(r.itemID), SQLBind(r.caseID), SQLBind(r.ticketID), SQLBind(r.channel), SQLBind(r.raterKind),
                    SQLBind(r.raterIdentity), SQLBind(r.level), SQLBind(r.tags), SQLBind(r.text), SQLBind(r.at), SQLBind(r.round),
                    SQLBind(r.source), SQLBind(r.operatorName), SQLBind(r.sealedCallerName), SQLBind(r.sealedCallerPhone),
                ]
            }, on: db)
    }

    /// A rating's fraud flag: kept by the batch and written after its ratings, else at once.
    static func insert(_ f: RatingFlagModel, on db: any Database) async throws {
        if let batch = HallBatch.current { return batch.wrote(f) }
        try await writeFlags([f], on: db)
    }

    static func writeFlags(_ flags: [RatingFlagModel], on db: any Database) async throws {
        try await SQLRows.insert(
            into: "rating_flags", columns: "id, rating_id, center_id, signal, detail, at, review_note, reviewed_by",
            flags.map { f in
                [
                    SQLBind(f.id), SQLBind(f.ratingID), SQLBind(f.centerID), SQLBind(f.signal), SQLBind(f.detail), SQLBind(f.at),
                    SQLBind(f.reviewNote), SQLBind(f.reviewedBy),
                ]
            }, on: db)
    }
}

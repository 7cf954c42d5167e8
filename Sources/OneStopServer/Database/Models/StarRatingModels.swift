import Fluent
import Foundation
import OneStopCore

/// A center's 十星级 rating for a half-year (issue 21): its survey criteria, its scale, who is
/// rated, and whether the campaign office has confirmed it (then its results are published and
/// never change).
final class StarRatingModel: Model, @unchecked Sendable {
    static let schema = "star_ratings"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "period") var period: String
    /// JSON `[String]`.
    @Field(key: "criteria") var criteria: String
    /// JSON `StarScale`.
    @Field(key: "scale") var scale: String
    /// The subject kinds rated, comma-separated (`staff,department,party`).
    @Field(key: "kinds") var kinds: String
    /// `open`, then `confirmed`.
    @Field(key: "state") var state: String
    @Field(key: "opened_by") var openedBy: String
    @Field(key: "opened_at") var openedAt: Int64
    @Field(key: "confirmed_by") var confirmedBy: String
    @OptionalField(key: "confirmed_at") var confirmedAt: Int64?

    init() {}

    var criteriaValue: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(criteria.utf8))) ?? [] }
        set { criteria = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    var scaleValue: StarScale {
        get { (try? JSONDecoder().decode(StarScale.self, from: Data(scale.utf8))) ?? .standard }
        set { scale = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }

    var kindsValue: [StarRules.SubjectKind] { kinds.split(separator: ",").compactMap { StarRules.SubjectKind(rawValue: String($0)) } }
}

/// One person's vote for one subject (unique per rating, subject and voter). `voter` is a blind
/// index of the confirmed phone or the signed-in applicant, never the number itself.
final class StarVoteModel: Model, @unchecked Sendable {
    static let schema = "star_votes"

    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "subject") var subject: String
    @Field(key: "voter") var voter: String
    /// The answers 1–5, comma-separated in the order of the criteria.
    @Field(key: "levels") var levels: String
    @Field(key: "comment") var comment: String
    /// `qr`, `link` or `account`.
    @Field(key: "channel") var channel: String
    @Field(key: "created_at") var createdAt: Int64

    init() {}

    var levelsValue: [Int] { levels.split(separator: ",").compactMap { Int($0) } }
}

/// A leader's review of one subject, at one level (JSON `StarRules.Review`); replaced until the
/// rating is confirmed.
final class StarReviewModel: Model, @unchecked Sendable {
    static let schema = "star_reviews"

    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "subject") var subject: String
    @Field(key: "level") var level: String
    @Field(key: "review") var review: String
    @Field(key: "updated_at") var updatedAt: Int64

    init() {}

    var reviewValue: StarRules.Review? {
        get { try? JSONDecoder().decode(StarRules.Review.self, from: Data(review.utf8)) }
        set { review = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }
}

/// A subject's confirmed result: its stars, score and how they were made up (JSON
/// `StarRules.Breakdown`); written once, when the rating is confirmed.
final class StarResultModel: Model, @unchecked Sendable {
    static let schema = "star_results"

    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "subject") var subject: String
    @Field(key: "subject_name") var subjectName: String
    @Field(key: "period") var period: String
    @OptionalField(key: "stars") var stars: Int?
    @OptionalField(key: "combined") var combined: Double?
    @Field(key: "breakdown") var breakdown: String

    init() {}

    var breakdownValue: StarRules.Breakdown? { try? JSONDecoder().decode(StarRules.Breakdown.self, from: Data(breakdown.utf8)) }
}

/// A one-time code sent to a voter's phone (through the SMS webhook) to confirm it: the phone
/// sealed (`PersonalData`) and found by its blind index; the code kept only as a keyed hash.
final class VoteCodeModel: Model, @unchecked Sendable {
    static let schema = "vote_codes"

    @ID(key: .id) var id: UUID?
    @Field(key: "phone_index") var phoneIndex: String
    @Field(key: "phone") var sealedPhone: String
    @Field(key: "code") var code: String
    @Field(key: "created_at") var createdAt: Int64
    @Field(key: "expires_at") var expiresAt: Int64
    @Field(key: "attempts") var attempts: Int

    init() {}

    static let phoneField = "vote_codes.phone"

    var phone: String {
        get { PersonalData.open(sealedPhone, Self.phoneField) }
        set { sealedPhone = PersonalData.seal(newValue, Self.phoneField) }
    }
}

/// An outside evaluator's scorecard for one subject of a rating (JSON `StarRules.Review` at level
/// `outside`); `day` is the center's day it was first given, where the indicator counts it.
final class OutsideScoreModel: Model, @unchecked Sendable {
    static let schema = "outside_scores"

    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "subject") var subject: String
    @Field(key: "subject_name") var subjectName: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @Field(key: "evaluator_id") var evaluatorID: UUID
    @Field(key: "evaluator_role") var evaluatorRole: String
    @Field(key: "review") var review: String
    @Field(key: "score") var score: Double
    @Field(key: "day") var day: String
    @Field(key: "updated_at") var updatedAt: Int64

    init() {}

    var reviewValue: StarRules.Review? {
        get { try? JSONDecoder().decode(StarRules.Review.self, from: Data(review.utf8)) }
        set { review = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }
}

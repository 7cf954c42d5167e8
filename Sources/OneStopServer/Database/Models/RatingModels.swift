import Fluent
import Foundation
import OneStopCore

/// A bad rating's handling (`BadRatingCase`): the row's id is the rating's.
final class BadRatingModel: Model, @unchecked Sendable {
    static let schema = "bad_ratings"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @Field(key: "level") var level: Int
    @Field(key: "real_name") var realName: Bool
    @Field(key: "assigned_on") var assignedOn: String
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "called_back_on") var calledBackOn: String?
    @OptionalField(key: "call_back_reached") var callBackReached: Bool?
    @Field(key: "call_back_note") var callBackNote: String
    @OptionalField(key: "resolution") var resolution: String?
    @Field(key: "resolution_note") var resolutionNote: String
    @OptionalField(key: "resolved_on") var resolvedOn: String?
    @Field(key: "resolved_by") var resolvedBy: String
    @OptionalField(key: "appeal") var appeal: String?
    @Field(key: "appeal_reason") var appealReason: String
    @Field(key: "appeal_decision_note") var appealDecisionNote: String
    @Field(key: "rated_again") var ratedAgain: Bool
    @Field(key: "created_at") var createdAt: Int64
    @Field(key: "updated_at") var updatedAt: Int64
    /// When the sweep warned its department that the day is near, and carded it once overdue.
    @OptionalField(key: "warned_on") var warnedOn: String?
    @OptionalField(key: "carded_on") var cardedOn: String?

    init() {}

    /// The Core view of the row, for its rules.
    var flow: BadRatingCase {
        BadRatingCase(
            realName: realName, assignedOn: CivilDate(assignedOn) ?? CivilDate(dayNumber: 0),
            dueOn: CivilDate(dueOn) ?? CivilDate(dayNumber: 0),
            calledBackOn: calledBackOn.flatMap(CivilDate.init), resolution: resolution.flatMap(BadRatingCase.Resolution.init(rawValue:)),
            resolvedOn: resolvedOn.flatMap(CivilDate.init), appeal: appeal.flatMap(BadRatingCase.Appeal.init(rawValue:)),
            ratedAgain: ratedAgain)
    }
}

/// A fraud signal a rating raised (`RatingFraud`), waiting for a supervisor's review.
final class RatingFlagModel: Model, @unchecked Sendable {
    static let schema = "rating_flags"

    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "center_id") var centerID: UUID
    /// `RatingFraud.Signal`.
    @Field(key: "signal") var signal: String
    /// What was measured (`RatingFraud.Flag.measured`), as text.
    @Field(key: "detail") var detail: String
    @Field(key: "at") var at: Int64
    /// `cleared` (an honest rating) or `confirmed` (taken out of every figure); nil until reviewed.
    @OptionalField(key: "verdict") var verdict: String?
    @Field(key: "review_note") var reviewNote: String
    @Field(key: "reviewed_by") var reviewedBy: String
    @OptionalField(key: "reviewed_at") var reviewedAt: Int64?

    init() {}
}

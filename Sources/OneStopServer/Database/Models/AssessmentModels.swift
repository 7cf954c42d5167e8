import Fluent
import Foundation
import OneStopCore

/// A 百分制 assessment template (issue 21): its criteria as JSON (`AssessmentCriterion`).
final class AssessmentTemplateModel: Model, @unchecked Sendable {
    static let schema = "assessment_templates"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "name") var name: String
    @Field(key: "criteria") var criteria: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int64

    init() {}

    var criteriaValue: [AssessmentCriterion] {
        get { (try? JSONDecoder().decode([AssessmentCriterion].self, from: Data(criteria.utf8))) ?? [] }
        set { criteria = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}

/// A run of a template over a center's windows, departments or centers for a period. Its criteria
/// are copied in at the start, so a later change of the template changes no run.
final class AssessmentModel: Model, @unchecked Sendable {
    static let schema = "assessments"

    @ID(key: .id) var id: UUID?
    @Field(key: "template_id") var templateID: UUID
    @Field(key: "center_id") var centerID: UUID
    /// `window`, `department` or `center`.
    @Field(key: "subject_kind") var subjectKind: String
    /// The period's key (`month:2026-11`).
    @Field(key: "period") var period: String
    /// `AssessmentState`.
    @Field(key: "state") var state: String
    @Field(key: "version") var version: Int
    @Field(key: "name") var name: String
    @Field(key: "criteria") var criteria: String
    /// The day the computed criteria were taken from the indicators.
    @Field(key: "frozen_on") var frozenOn: String
    @Field(key: "started_by") var startedBy: String
    @Field(key: "started_at") var startedAt: Int64
    @Field(key: "reviewed_by") var reviewedBy: String
    @OptionalField(key: "reviewed_at") var reviewedAt: Int64?
    @Field(key: "signed_by") var signedBy: String
    @OptionalField(key: "signed_at") var signedAt: Int64?
    /// The review's comment on the whole run.
    @Field(key: "comment") var comment: String

    init() {}

    var criteriaValue: [AssessmentCriterion] {
        (try? JSONDecoder().decode([AssessmentCriterion].self, from: Data(criteria.utf8))) ?? []
    }
}

/// A criterion's score on a line: the points (nil: not scored yet, or no data), the figure it was
/// computed from, or the hand score's reason and evidence and who gave it.
struct AssessmentScore: Codable, Sendable, Equatable {
    var points: Double?
    var figure: String
    var reason: String
    var evidence: String
    var by: String
}

/// One subject's line of a run.
final class AssessmentLineModel: Model, @unchecked Sendable {
    static let schema = "assessment_lines"

    @ID(key: .id) var id: UUID?
    @Field(key: "assessment_id") var assessmentID: UUID
    /// The scope key: `window:<id>`, `department:<id>`, `center:<id>`.
    @Field(key: "subject") var subject: String
    @Field(key: "name") var name: String
    @Field(key: "scores") var scores: String
    @Field(key: "adjustment") var adjustment: Double
    @Field(key: "adjustment_reason") var adjustmentReason: String
    @Field(key: "comment") var comment: String

    init() {}

    var scoresValue: [String: AssessmentScore] {
        get { (try? JSONDecoder().decode([String: AssessmentScore].self, from: Data(scores.utf8))) ?? [:] }
        set { scores = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }

    /// The line as the Core's totals and ranking read it.
    var line: AssessmentLine {
        AssessmentLine(subject: subject, name: name, scores: scoresValue.mapValues(\.points), adjustment: adjustment)
    }
}

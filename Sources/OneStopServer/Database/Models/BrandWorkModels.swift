import Fluent
import Foundation
import OneStopCore

/// A photo of a weekly report or the attachment of a piece of evidence (issue 22).
final class BrandFileModel: Model, @unchecked Sendable {
    static let schema = "brand_files"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "name") var name: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Int64

    init() {}
}

/// 一周一报: a brand's report for one week of the campaign's practice phase.
final class BrandReportModel: Model, @unchecked Sendable {
    static let schema = "brand_reports"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "campaign_id") var campaignID: UUID
    /// The week's first day.
    @Field(key: "week") var week: String
    @Field(key: "done") var done: String
    @Field(key: "changes") var changes: String
    @Field(key: "figures") var figures: String
    /// JSON list of `brand_files` ids.
    @Field(key: "photos") var photos: String
    @Field(key: "late") var late: Bool
    @Field(key: "filed_by") var filedBy: String
    @Field(key: "filed_at") var filedAt: Int64

    init() {}

    var photoIDs: [UUID] {
        get { (try? JSONDecoder().decode([UUID].self, from: Data(photos.utf8))) ?? [] }
        set { photos = BrandModel.json(newValue) }
    }
}

/// That the owner was reminded of a week's missing report (once per week).
final class BrandReminderModel: Model, @unchecked Sendable {
    static let schema = "brand_reminders"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "campaign_id") var campaignID: UUID
    @Field(key: "week") var week: String
    @Field(key: "sent_at") var sentAt: Int64

    init() {}
}

/// A notice (通报) of the campaign office: of an inspection, the selection, a naming or a
/// revocation. Never changed once published.
final class BrandNoticeModel: Model, @unchecked Sendable {
    static let schema = "brand_notices"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "brand_id") var brandID: UUID?
    @OptionalField(key: "campaign_id") var campaignID: UUID?
    /// inspection, selection, naming, revocation.
    @Field(key: "kind") var kind: String
    @Field(key: "number") var number: String
    @Field(key: "title") var title: String
    /// JSON `BrandNotices.Body`.
    @Field(key: "body") var body: String
    /// public or internal.
    @Field(key: "visibility") var visibility: String
    @Field(key: "published_by") var publishedBy: String
    @Field(key: "published_at") var publishedAt: Int64

    init() {}
}

/// 督查: an inspection of a brand, with its findings per standard and the problems to correct.
final class BrandInspectionModel: Model, @unchecked Sendable {
    static let schema = "brand_inspections"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "day") var day: String
    @Field(key: "inspectors") var inspectors: String
    /// JSON standard → finding.
    @Field(key: "findings") var findings: String
    /// JSON `[BrandPractice.Problem]`.
    @Field(key: "problems") var problems: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64
    @OptionalField(key: "notice_id") var noticeID: UUID?

    init() {}

    var findingsValue: [String: String] {
        get { (try? JSONDecoder().decode([String: String].self, from: Data(findings.utf8))) ?? [:] }
        set { findings = BrandModel.json(newValue) }
    }

    var problemsValue: [BrandPractice.Problem] {
        get { (try? JSONDecoder().decode([BrandPractice.Problem].self, from: Data(problems.utf8))) ?? [] }
        set { problems = BrandModel.json(newValue) }
    }
}

/// 自查申报: a department declares its brand a candidate of a campaign's selection.
final class BrandDeclarationModel: Model, @unchecked Sendable {
    static let schema = "brand_declarations"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "campaign_id") var campaignID: UUID
    /// JSON standard → self-assessment.
    @Field(key: "assessment") var assessment: String
    /// How the brand meets the campaign's requirements.
    @Field(key: "requirements") var requirements: String
    @Field(key: "declared_by") var declaredBy: String
    @Field(key: "declared_at") var declaredAt: Int64

    init() {}

    var assessmentValue: [String: String] {
        get { (try? JSONDecoder().decode([String: String].self, from: Data(assessment.utf8))) ?? [:] }
        set { assessment = BrandModel.json(newValue) }
    }
}

/// 专家评审: an expert assigned to a candidate, with the exclusion if any, and the scores once given.
final class BrandExpertCardModel: Model, @unchecked Sendable {
    static let schema = "brand_expert_cards"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "campaign_id") var campaignID: UUID
    @Field(key: "expert_id") var expertID: UUID
    @Field(key: "expert_name") var expertName: String
    /// "" or a `BrandSelection.Exclusion`.
    @Field(key: "excluded") var excluded: String
    /// JSON standard → {points, comment}.
    @Field(key: "scores") var scores: String
    @OptionalField(key: "total") var total: Double?
    @OptionalField(key: "scored_at") var scoredAt: Int64?
    @Field(key: "assigned_by") var assignedBy: String
    @Field(key: "assigned_at") var assignedAt: Int64

    init() {}

    struct Score: Codable, Sendable, Equatable {
        var points: Double
        var comment: String
    }

    var scoresValue: [String: Score] {
        get { (try? JSONDecoder().decode([String: Score].self, from: Data(scores.utf8))) ?? [:] }
        set { scores = BrandModel.json(newValue) }
    }
}

/// 社会评价: a brand's public survey in a campaign's selection.
final class BrandSurveyModel: Model, @unchecked Sendable {
    static let schema = "brand_surveys"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "campaign_id") var campaignID: UUID
    @Field(key: "center_id") var centerID: UUID
    /// open or closed.
    @Field(key: "state") var state: String
    @Field(key: "closes_on") var closesOn: String
    @Field(key: "opened_by") var openedBy: String
    @Field(key: "opened_at") var openedAt: Int64
    /// selection or consolidation (`BrandSelection.SurveyPurpose`).
    @Field(key: "purpose") var purpose: String
    /// 1, then one more for each yearly evaluation held on the same survey.
    @Field(key: "round") var round: Int

    init() {}
}

/// One person's vote in a brand survey: the voter is a keyed hash of the phone or the account.
final class BrandVoteModel: Model, @unchecked Sendable {
    static let schema = "brand_votes"

    @ID(key: .id) var id: UUID?
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "voter") var voter: String
    /// 1 (very dissatisfied) … 5 (very satisfied).
    @Field(key: "level") var level: Int
    @Field(key: "comment") var comment: String
    /// qr, link or account.
    @Field(key: "channel") var channel: String
    /// The client's address as a keyed hash, for the burst rule; "" when unknown.
    @Field(key: "source") var source: String
    @Field(key: "flagged") var flagged: Bool
    /// "" or the office's reason for leaving the vote out.
    @Field(key: "excluded") var excluded: String
    @Field(key: "created_at") var createdAt: Int64
    /// The survey round it was given in.
    @Field(key: "round") var round: Int

    init() {}
}

/// 典型确定: the office's decision on a campaign's selection, with the scores frozen.
final class BrandSelectionModel: Model, @unchecked Sendable {
    static let schema = "brand_selections"

    @ID(key: .id) var id: UUID?
    @Field(key: "campaign_id") var campaignID: UUID
    @Field(key: "center_id") var centerID: UUID
    /// JSON `[BrandSelectionService.Result]`.
    @Field(key: "results") var results: String
    /// JSON list of the typical brands' ids.
    @Field(key: "typical") var typical: String
    /// The last day of the 公示, nil without one.
    @OptionalField(key: "announce_until") var announceUntil: String?
    @Field(key: "decided_by") var decidedBy: String
    @Field(key: "decided_at") var decidedAt: Int64
    @OptionalField(key: "notice_id") var noticeID: UUID?

    init() {}

    var typicalIDs: [UUID] {
        get { (try? JSONDecoder().decode([UUID].self, from: Data(typical.utf8))) ?? [] }
        set { typical = BrandModel.json(newValue) }
    }
}

/// An objection raised during the 公示, and the office's answer.
final class BrandObjectionModel: Model, @unchecked Sendable {
    static let schema = "brand_objections"

    @ID(key: .id) var id: UUID?
    @Field(key: "selection_id") var selectionID: UUID
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "name") var name: String
    /// Sealed (`PersonalData`): how to reach the objector.
    @Field(key: "contact") var sealedContact: String
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Int64
    @Field(key: "answer") var answer: String
    @Field(key: "answered_by") var answeredBy: String
    @OptionalField(key: "answered_at") var answeredAt: Int64?

    init() {}

    static let contactField = "brand_objections.contact"

    var contact: String {
        get { PersonalData.open(sealedContact, Self.contactField) }
        set { sealedContact = PersonalData.seal(newValue, Self.contactField) }
    }
}

/// Evidence of a brand's social benefit: media coverage, a delegation that came to learn, an honour.
final class BrandEvidenceModel: Model, @unchecked Sendable {
    static let schema = "brand_evidence"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "day") var day: String
    @Field(key: "detail") var detail: String
    @OptionalField(key: "file_id") var fileID: UUID?
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64

    init() {}
}

/// A month of a brand's commitments checked against its figures: whether one was missed, which,
/// and whether the office was told.
final class BrandMonthModel: Model, @unchecked Sendable {
    static let schema = "brand_months"

    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    /// `2026-11`.
    @Field(key: "month") var month: String
    @Field(key: "missed") var missed: Bool
    /// The missed commitments, one per line.
    @Field(key: "detail") var detail: String
    @Field(key: "notified") var notified: Bool
    @Field(key: "checked_at") var checkedAt: Int64

    init() {}
}

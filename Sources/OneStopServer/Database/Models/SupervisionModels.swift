import Fluent
import Foundation

/// An item's supervision thresholds, when they differ from the standard ones.
final class SupervisionSettingsModel: Model, @unchecked Sendable {
    static let schema = "supervision_settings"

    @ID(custom: "item_id", generatedBy: .user) var id: UUID?
    /// Comma-separated working days, e.g. `3,1`.
    @Field(key: "reminder_days") var reminderDays: String
    @Field(key: "yellow_after") var yellowAfter: Int
    @Field(key: "red_after") var redAfter: Int
    @Field(key: "explain_within") var explainWithin: Int

    init() {}
}

/// A yellow or red card, or a card for a step that overran, issued to a department and the
/// member of staff handling the case, who explain; a supervisor accepts or rejects.
final class CardModel: Model, @unchecked Sendable {
    static let schema = "cards"

    @ID(key: .id) var id: UUID?
    /// The case carded; nil for a card on a bad rating of a visit.
    @OptionalField(key: "case_id") var caseID: UUID?
    /// The bad rating whose rectification is overdue (`rating_overdue`).
    @OptionalField(key: "rating_id") var ratingID: UUID?
    /// The work order whose time limit ran out (`work_order_yellow`, `work_order_red`).
    @OptionalField(key: "work_order_id") var workOrderID: UUID?
    /// The case's number, or what names the rating (the case's or the ticket's number).
    @Field(key: "case_number") var caseNumber: String
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @OptionalField(key: "user_id") var userID: UUID?
    /// `yellow`, `red`, `acceptance_step`, `delivery_step`, `special_step`, `task_step_<n>` or
    /// `rating_overdue`.
    @Field(key: "kind") var kind: String
    @Field(key: "reason") var reason: String
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "explain_by") var explainBy: String
    /// `open`, `explained`, `accepted` or `rejected`.
    @Field(key: "status") var status: String
    @Field(key: "explanation") var explanation: String
    @Field(key: "explained_by") var explainedBy: String
    @OptionalField(key: "explained_at") var explainedAt: Int64?
    @Field(key: "decided_by") var decidedBy: String
    @OptionalField(key: "decided_at") var decidedAt: Int64?
    @Field(key: "decision_note") var decisionNote: String

    init() {}
}

/// An anomaly of handling (异常办理), once per case and kind.
final class AnomalyModel: Model, @unchecked Sendable {
    static let schema = "anomalies"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    /// `overdue`, `refused_complete`, `acceptance_overrun`, `delivery_overrun`, `fee_outside_standard`,
    /// `task_overrun_<n>`.
    @Field(key: "kind") var kind: String
    @Field(key: "day") var day: String
    @Field(key: "detail") var detail: String

    init() {}
}

/// A notification waiting to be delivered (or delivered): to a user's inbox or to a webhook.
final class OutboxModel: Model, @unchecked Sendable {
    static let schema = "outbox"

    @ID(key: .id) var id: UUID?
    /// `inbox` or `webhook`.
    @Field(key: "channel") var channel: String
    /// The user id (inbox) or the webhook id.
    @Field(key: "target") var target: String
    @Field(key: "event") var event: String
    @Field(key: "payload") var payload: String
    @Field(key: "created_at") var createdAt: Int64
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Int64
    @OptionalField(key: "delivered_at") var deliveredAt: Int64?
    /// Given up after the last retry.
    @Field(key: "failed") var failed: Bool
    @Field(key: "last_error") var lastError: String

    init() {}
}

/// A message in a user's in-app inbox. Its id is the outbox entry's, so a delivery repeated after
/// a restart cannot put it there twice.
final class InboxMessageModel: Model, @unchecked Sendable {
    static let schema = "inbox_messages"

    @ID(custom: "id", generatedBy: .user) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "event") var event: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Int64
    @OptionalField(key: "read_at") var readAt: Int64?

    init() {}
}

/// Where a center's notifications are also POSTed, signed with HMAC-SHA256 (an SMS or e-mail
/// gateway is one of these).
final class WebhookModel: Model, @unchecked Sendable {
    static let schema = "webhooks"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "url") var url: String
    @Field(key: "secret") var secret: String
    /// Comma-separated event names, or `*`.
    @Field(key: "events") var events: String
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Int64

    init() {}
}

/// The four authorisations of a department's chief representative for one item, where the center
/// has set them; without a row the chief representative holds all four.
final class AuthorisationModel: Model, @unchecked Sendable {
    static let schema = "authorisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "approve_on_spot") var approveOnSpot: Bool
    @Field(key: "review_upward") var reviewUpward: Bool
    @Field(key: "supervise") var supervise: Bool
    @Field(key: "coordinate") var coordinate: Bool

    init() {}
}

/// 首问负责 and 一次性告知: a visitor's question owned by the first member of staff asked until it
/// is answered or handed over; with an item, what was told (its materials and conditions as the
/// guide in force said them) is kept and printable.
final class InquiryModel: Model, @unchecked Sendable {
    static let schema = "inquiries"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "serial") var serial: String
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "owner_name") var ownerName: String
    @Field(key: "visitor_name") var visitorName: String
    @Field(key: "visitor_phone") var visitorPhone: String
    @Field(key: "question") var question: String
    @OptionalField(key: "item_id") var itemID: UUID?
    @Field(key: "item_name") var itemName: String
    /// JSON: the lines told, exactly as told.
    @Field(key: "told") var told: String
    /// `open`, `answered` or `handed_over`.
    @Field(key: "status") var status: String
    @Field(key: "answer") var answer: String
    @OptionalField(key: "handed_to") var handedTo: UUID?
    @Field(key: "handed_to_name") var handedToName: String
    @Field(key: "created_at") var createdAt: Int64
    @OptionalField(key: "closed_at") var closedAt: Int64?

    init() {}
}

/// 全程代办: an investment project whose cases a designated agent handles for the applicant.
final class AgentProjectModel: Model, @unchecked Sendable {
    static let schema = "agent_projects"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "name") var name: String
    @Field(key: "applicant_id") var applicantID: UUID
    @Field(key: "agent_id") var agentID: UUID
    @Field(key: "agent_name") var agentName: String
    @Field(key: "note") var note: String
    /// `AgentProjectKind`; a citizen's project carries the consent they gave.
    @Field(key: "kind") var kind: String
    @OptionalField(key: "consent_method") var consentMethod: String?
    @OptionalField(key: "consent_on") var consentOn: String?
    @OptionalField(key: "consent_note") var consentNote: String?
    @Field(key: "created_at") var createdAt: Int64

    init() {}
}

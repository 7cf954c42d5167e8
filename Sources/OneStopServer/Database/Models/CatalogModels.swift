import Fluent
import Foundation

/// 政务服务事项. The row holds what lists need and the working draft; each publication freezes
/// the guide into a `ItemVersionModel` that is never changed afterwards.
final class ServiceItemModel: Model, @unchecked Sendable {
    static let schema = "service_items"

    @ID(key: .id) var id: UUID?
    /// The owning center (the department's center).
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "code") var code: String
    /// The working name: the draft's if there is one, else the version in force.
    @Field(key: "name") var name: String
    @Field(key: "tier") var tier: String
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "status") var status: String
    /// The unpublished guide (JSON of `ItemGuide`), nil when the version in force is current.
    @OptionalField(key: "draft") var draft: String?
    @OptionalField(key: "version_in_force") var versionInForce: Int?
    /// How many versions have been published.
    @Field(key: "versions") var versions: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// One published version of an item's guide, stored exactly as published.
final class ItemVersionModel: Model, @unchecked Sendable {
    static let schema = "service_item_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "content") var content: String
    @Field(key: "published_at") var publishedAt: Date
    @Field(key: "published_by") var publishedBy: String

    init() {}
}

/// 下放 — a sub-center serves the item with its own windows and phone.
final class ItemDelegationModel: Model, @unchecked Sendable {
    static let schema = "item_delegations"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "center_id") var centerID: UUID
    /// Comma-separated window numbers of the sub-center.
    @Field(key: "window_numbers") var windowNumbers: String
    @OptionalField(key: "consult_phone") var consultPhone: String?

    init() {}
}

/// A material's blank form (template) or filled-in example, downloadable from the guide.
final class ItemFileModel: Model, @unchecked Sendable {
    static let schema = "item_files"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "material") var material: String
    @Field(key: "kind") var kind: String
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "data") var data: Data
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// 一件事 — a life-event bundle of items.
final class BundleModel: Model, @unchecked Sendable {
    static let schema = "bundles"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "name") var name: String
    @Field(key: "summary") var summary: String
    @Field(key: "theme") var theme: String
    /// Item codes, one per line, in the order the bundle presents them.
    @Field(key: "item_codes") var itemCodes: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var codes: [String] { itemCodes.split(whereSeparator: \.isNewline).map(String.init) }
}

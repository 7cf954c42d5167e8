import Fluent
import Foundation
import OneStopCore

/// A service brand (issue 22): its definition (JSON culture, service system and what it covers),
/// its state, and who approved it.
final class BrandModel: Model, @unchecked Sendable {
    static let schema = "brands"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "name") var name: String
    @Field(key: "category") var category: String
    /// JSON `BrandRules.Culture`.
    @Field(key: "culture") var culture: String
    /// JSON `BrandRules.ServiceSystem`.
    @Field(key: "system") var system: String
    /// JSON `BrandModel.Covers`.
    @Field(key: "covers") var covers: String
    @Field(key: "state") var state: String
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int64
    @Field(key: "updated_at") var updatedAt: Int64
    @Field(key: "approved_by") var approvedBy: String
    @OptionalField(key: "approved_at") var approvedAt: Int64?
    /// The logo's media type once one is uploaded (the image is in `brand_logos`).
    @OptionalField(key: "logo_type") var logoType: String?

    init() {}

    /// The items (by code), windows and staff the brand covers.
    struct Covers: Codable, Sendable, Equatable {
        var items: [String] = []
        var windows: [UUID] = []
        var staff: [UUID] = []
    }

    var cultureValue: BrandRules.Culture {
        get { (try? JSONDecoder().decode(BrandRules.Culture.self, from: Data(culture.utf8))) ?? .init() }
        set { culture = Self.json(newValue) }
    }

    var systemValue: BrandRules.ServiceSystem {
        get { (try? JSONDecoder().decode(BrandRules.ServiceSystem.self, from: Data(system.utf8))) ?? .init() }
        set { system = Self.json(newValue) }
    }

    var coversValue: Covers {
        get { (try? JSONDecoder().decode(Covers.self, from: Data(covers.utf8))) ?? .init() }
        set { covers = Self.json(newValue) }
    }

    var stateValue: BrandRules.State { BrandRules.State(rawValue: state) ?? .cultivating }

    static func json<T: Encodable>(_ v: T) -> String {
        String(decoding: (try? JSONEncoder.sorted.encode(v)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// A brand's logo: PNG or JPEG as uploaded, SVG as sanitised.
final class BrandLogoModel: Model, @unchecked Sendable {
    static let schema = "brand_logos"

    @ID(custom: "brand_id", generatedBy: .user) var id: UUID?
    @Field(key: "content_type") var contentType: String
    @Field(key: "data") var data: Data
    @Field(key: "updated_at") var updatedAt: Int64

    init() {}
}

/// A campaign of the brand programme over a center and the centers below it.
final class BrandCampaignModel: Model, @unchecked Sendable {
    static let schema = "brand_campaigns"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "name") var name: String
    /// JSON `BrandCampaignPhases`.
    @Field(key: "phases") var phases: String
    @Field(key: "requirements") var requirements: String
    @Field(key: "opened_by") var openedBy: String
    @Field(key: "opened_at") var openedAt: Int64
    /// JSON `BrandSelection.Weights`; "" reads as the defaults.
    @Field(key: "weights") var weights: String

    init() {}

    var weightsValue: BrandSelection.Weights {
        get { (try? JSONDecoder().decode(BrandSelection.Weights.self, from: Data(weights.utf8))) ?? .init() }
        set { weights = BrandModel.json(newValue) }
    }

    var phasesValue: BrandCampaignPhases {
        get { (try? JSONDecoder().decode(BrandCampaignPhases.self, from: Data(phases.utf8))) ?? BrandCampaignPhases([]) }
        set { phases = BrandModel.json(newValue) }
    }
}

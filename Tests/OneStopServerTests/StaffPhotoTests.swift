import Fluent
import Foundation
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Staff photos")
struct StaffPhotoTests {
    /// The smallest valid PNG: one transparent pixel.
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    func upload(
        _ t: TestContext, _ id: UUID, _ bytes: [UInt8], token: String, type: String = "image/png"
    ) async throws -> TestingHTTPResponse {
        try await t.app.testing().sendRequest(.PUT, "/api/v1/staff/\(id)/photo", body: .init(bytes: bytes)) { req in
            req.headers.bearerAuthorization = .init(token: token)
            req.headers.replaceOrAdd(name: .contentType, value: type)
        }
    }

    @Test("a PNG is stored, served on the public profile, and audited", arguments: TestDB.available)
    func store(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let staff = try await StaffModel.query(on: t.app.db).first()!.requireID()
            #expect(try await t.send(.GET, "/staff/\(staff)/photo").status == .notFound)
            #expect(try await upload(t, staff, Self.png, token: token).status == .noContent)
            let photo = try await t.send(.GET, "/staff/\(staff)/photo")
            #expect(photo.status == .ok)
            #expect(photo.headers.contentType?.description == "image/png")
            #expect(Array(photo.body.readableBytesView) == Self.png)
            #expect(try await t.send(.GET, "/staff/\(staff)").body.string.contains("src=\"/staff/\(staff)/photo\""))
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "staff.photo").count() == 1)
        }
    }

    @Test("anything that is not a JPEG or PNG is refused, whatever its label says", arguments: [TestDB.sqlite])
    func refuse(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let staff = try await StaffModel.query(on: t.app.db).first()!.requireID()
            let res = try await upload(t, staff, Array("<svg onload=alert(1)>".utf8), token: token)
            #expect(res.problem?.errors?.map(\.code) == ["photo.type"])
            let big = try await upload(
                t, staff, [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0, count: 2 * 1024 * 1024), token: token, type: "image/jpeg")
            #expect(big.problem?.errors?.map(\.code) == ["photo.tooLarge"])
            #expect(try await StaffPhotoModel.query(on: t.app.db).count() == 0)
        }
    }
}

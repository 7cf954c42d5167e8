import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("分屏: the visitor checks the intake on their window's screen")
struct IntakeMirrorTests {
    @Test(
        "what the clerk types reaches the evaluator of their window only; the visitor confirms that version; the case records it",
        arguments: TestDB.available)
    func mirror(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let clerk = try await hall.clerk("mirror_clerk", at: 1)
            let screen = try await hall.evaluator(at: 1)
            let otherScreen = try await hall.evaluator(at: 2)
            let w1 = hall.windows[1]!
            struct Draft: Codable {
                struct M: Codable {
                    var name: String
                    var status: String
                }
                var itemName = "食品经营许可证核发（新办）"
                var name = "张三"
                var idNumber = "11010519491231002X"
                var phone = "13800138000"
                var materials = [M(name: "营业执照", status: "provided")]
                var version: Int?
                var confirmed: Bool?
                var disputed: Bool?
            }
            struct Status: Decodable {
                var version: Int?
                var confirmed: Bool
                var disputed: Bool
            }
            // Nothing to show yet; another window's screen may not look.
            let empty = try await t.send(.GET, "/api/v1/windows/\(w1)/mirror", token: screen)
            #expect(empty.status == .ok, "\(empty.body.string.prefix(300))")
            #expect(try empty.content.decode([Draft].self).isEmpty)
            #expect(try await t.send(.GET, "/api/v1/windows/\(w1)/mirror", token: otherScreen).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/windows/\(w1)/mirror", token: clerk).status == .forbidden)
            var put = try await t.send(.PUT, "/desk/mirror", token: clerk, json: Draft())
            #expect(put.status == .ok, "\(put.status) \(put.body.string.prefix(300))")
            let first = try put.content.decode(Status.self)
            #expect(first.version == 1 && !first.confirmed, "\(put.body.string)")
            let shown = try await t.send(.GET, "/api/v1/windows/\(w1)/mirror", token: screen).content.decode([Draft].self)
            #expect(shown.first?.name == "张三" && shown.first?.version == 1)
            // The clerk corrects the phone: the visitor's answer to the old version no longer counts.
            var changed = Draft()
            changed.phone = "13800138001"
            put = try await t.send(.PUT, "/desk/mirror", token: clerk, json: changed)
            #expect(try put.content.decode(Status.self).version == 2)
            let stale = try await t.send(
                .POST, "/api/v1/windows/\(w1)/mirror/answer", token: screen,
                json: ["version": 1, "confirmed": true] as [String: AnyCodable])
            #expect(stale.status == .conflict)
            let ok = try await t.send(
                .POST, "/api/v1/windows/\(w1)/mirror/answer", token: screen,
                json: ["version": 2, "confirmed": true] as [String: AnyCodable])
            #expect(ok.status == .noContent)
            let status = try await t.send(.GET, "/desk/mirror", token: clerk).content.decode(Status.self)
            #expect(status.confirmed && status.version == 2)
            // The case taken in now says the visitor confirmed, and the screen is cleared.
            let item = try await t.foodItem()
            let r = try await t.intake(clerk, item: item.code, marks: try await t.complete(item))
            #expect(r.status == .created, "\(r.body.string)")
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "case.submit").all()
            #expect(audit.contains { $0.detail.contains("\"visitorConfirmed\":\"yes\"") }, "\(audit.map(\.detail))")
            #expect(try await t.send(.GET, "/api/v1/windows/\(w1)/mirror", token: screen).content.decode([Draft].self).isEmpty)
        }
    }
}

/// A JSON value of either kind, for small mixed bodies.
enum AnyCodable: Encodable, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, Sendable {
    case int(Int), bool(Bool)
    init(integerLiteral v: Int) { self = .int(v) }
    init(booleanLiteral v: Bool) { self = .bool(v) }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        }
    }
}

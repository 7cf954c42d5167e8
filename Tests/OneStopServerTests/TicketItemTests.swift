import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("A ticket taken for a service")
struct TicketItemTests {
    @Test(
        "from a guide the take page names the service and recommends its group; the ticket lists the materials to have ready",
        arguments: TestDB.available)
    func ticketForItem(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let code = "DL010200-SCJG-002-01-1"  // 食品经营许可证核发（新办）, of 市场监管 (group B)
            let guide = try await t.send(.GET, "/guide/\(code)?center=DL010200").body.string
            #expect(guide.contains("/hall/DL010200/queue?item=\(code)"))
            let take = try await t.send(.GET, "/hall/DL010200/queue?item=\(code)").body.string
            #expect(take.contains("您要办理：食品经营许可证核发（新办）") && take.contains("name=\"item\" value=\"\(code)\""))
            #expect(take.contains("class=\"group-button recommended\" id=\"take-B\""))
            // An unknown item is ignored, not an error.
            let unknown = try await t.send(.GET, "/hall/DL010200/queue?item=NOPE")
            #expect(unknown.status == .ok && !unknown.body.string.contains("您要办理"))
            let groupB = try #require(try await ServiceGroupModel.query(on: t.app.db).filter(\.$prefix == "B").first()?.id)
            let posted = try await t.app.testing().sendRequest(.POST, "/hall/DL010200/queue") { req in
                try req.content.encode(["group": groupB.uuidString, "item": code], as: .urlEncodedForm)
            }
            let location = try #require(posted.headers.first(name: .location))
            #expect(location.hasSuffix("&item=\(code)"))
            let ticket = try await t.send(.GET, location).body.string
            #expect(ticket.contains("办理“食品经营许可证核发（新办）”请备好以下材料") && ticket.contains("<li>营业执照</li>"))
            #expect(ticket.contains("/guide/\(code)/checklist?center=DL010200"))
        }
    }
}

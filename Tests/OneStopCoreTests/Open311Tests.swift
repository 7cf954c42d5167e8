import Foundation
import OneStopCore
import Testing

@Suite("Open311 GeoReport v2")
struct Open311CoreTests {
    @Test("a request needs a service code, a description and a place: lat and long together, or an address")
    func check() throws {
        let good = try Open311.check(
            .init(serviceCode: "food", lat: "36.8", long: "118.05", firstName: "小明", lastName: "王", description: "后厨脏乱")
        ).get()
        #expect(good.lat == 36.8 && good.long == 118.05 && good.name == "王 小明" && good.kind == nil && good.phone == nil)
        let byAddress = try Open311.check(.init(serviceCode: "food", addressID: "545483", description: "x")).get()
        #expect(byAddress.address == "address_id 545483")
        guard case .failure(let p) = Open311.check(.init(serviceCode: " ", lat: "91", description: "")) else {
            Issue.record("accepted")
            return
        }
        #expect(p.list.map(\.field) == ["service_code", "lat", "long", "description"])
        guard
            case .failure(let q) = Open311.check(
                .init(serviceCode: "a", email: "not-mail", description: "x", mediaURL: "ftp://x", kind: "report"))
        else {
            Issue.record("accepted")
            return
        }
        #expect(q.list.map(\.code) == ["open311.location", "open311.email", "open311.mediaURL", "invalidChoice"])
    }

    @Test("the list's filters: statuses open or closed, W3C dates, 90 days before the end by default")
    func query() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let q = try Open311.query(ids: "GD1, GD2", serviceCodes: nil, status: "open", startDate: nil, endDate: nil, now: now).get()
        #expect(q.ids == ["GD1", "GD2"] && q.statuses == ["open"] && q.end == now)
        #expect(q.start == now.addingTimeInterval(-90 * 86_400))
        let dated = try Open311.query(
            ids: nil, serviceCodes: "a,b", status: nil, startDate: "2026-12-01T00:00:00+08:00", endDate: "2026-12-02T00:00:00Z", now: now
        ).get()
        #expect(dated.serviceCodes == ["a", "b"] && dated.start == Open311.date("2026-11-30T16:00:00Z"))
        guard
            case .failure(let p) = Open311.query(
                ids: nil, serviceCodes: nil, status: "open,pending", startDate: "2026-12-03T00:00:00Z", endDate: "2026-12-02T00:00:00Z",
                now: now)
        else {
            Issue.record("accepted")
            return
        }
        #expect(p.list.map(\.code) == ["open311.status", "open311.dateOrder"])
        #expect(Open311.stamp(Date(timeIntervalSince1970: 0), zone: TimeZone(identifier: "Asia/Shanghai")!) == "1970-01-01T08:00:00+08:00")
        #expect(Open311.status(.replied) == "open" && Open311.status(.closed) == "closed")
    }
}

import Foundation
import Testing

@testable import OneStopServer

@Suite("Time-ordered ids")
struct TimeOrderedIDTests {
    @Test("ids of later times sort after earlier ones, as bytes and as SQLite's text; version 7, RFC variant, random rest")
    func ordered() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let ids = (0..<200).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.005)) }
        let texts = ids.map(\.uuidString)
        #expect(texts == texts.sorted())
        #expect(Set(ids).count == 200)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 7)
            #expect(id.uuid.8 >> 6 == 0b10)
        }
        // The first 48 bits are the milliseconds.
        let first = ids[0].uuid
        let ms = [first.0, first.1, first.2, first.3, first.4, first.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(ms == 1_790_000_000_000)
        // Two ids of the same millisecond differ.
        #expect(UUID.timeOrdered(at: start) != UUID.timeOrdered(at: start))
    }

    @Test("ids written and parsed in their text form (as uuidString writes it), read in either case; anything else is no id")
    func text() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.uuidString.lowercased()) == id)
            #expect(id.text == id.uuidString)
        }
        for bad in [
            "", "abc", "00000000-0000-0000-0000-00000000000G", "000000000000-0000-0000-0000-00000000",
            "00000000-0000-0000-0000-0000000000000",
        ] {
            #expect(UUID(text: bad) == nil, "\(bad)")
        }
    }
}

// Working-day arithmetic throughput (issue 2 target: at least 10 million addWorkingDays a second
// in a release build). Run: scripts/bench-calendar.sh
import Foundation
import OneStopCore

let calendar = WorkCalendar(NationalCalendar.year2026)
let base = CivilDate(year: 2020, month: 1, day: 1)!.dayNumber
let operations = 20_000_000
// Precomputed inputs so the loop measures the calendar, not the input generation.
var rng = UInt64(0x5EED)
var starts: [CivilDate] = []
var lengths: [Int] = []
for _ in 0..<4096 {
    rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    starts.append(CivilDate(dayNumber: base + Int(rng >> 33) % 3650))
    lengths.append(Int((rng >> 20) % 60) + 1)
}

@MainActor func run() -> (seconds: Double, checksum: Int) {
    var checksum = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<operations {
        let j = i & 4095
        if let d = calendar.addWorkingDays(lengths[j], to: starts[j]) { checksum &+= d.day }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (seconds, checksum)
}

var rates: [Double] = []
for round in 1...5 {
    let (seconds, checksum) = run()
    let rate = Double(operations) / seconds
    rates.append(rate)
    print(String(format: "round %d: %.1f million addWorkingDays/s (checksum %d)", round, rate / 1e6, checksum))
}
let median = rates.sorted()[rates.count / 2]
print(String(format: "median: %.1f million addWorkingDays/s", median / 1e6))

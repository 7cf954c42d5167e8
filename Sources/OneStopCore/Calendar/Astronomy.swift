import Foundation

/// The two astronomical events the Chinese calendar is built from: new moons (朔) and the sun
/// reaching a multiple of 15° of apparent ecliptic longitude (节气). Both are computed, not read
/// from a table, so the statutory holidays are known for every year the work calendar spans.
///
/// After J. Meeus, *Astronomical Algorithms* (2nd ed.): the sun's longitude from the truncated
/// VSOP87 series of appendix III with nutation and aberration (ch. 25, 22), the mean phases of the
/// moon with their periodic corrections (ch. 49), ΔT from the Espenak–Meeus polynomials. Times
/// are Julian ephemeris days; `beijingDay` turns one into the civil date at 120° E (UTC+8), the
/// meridian of the Chinese calendar since 1929. Accuracy is about a minute, checked against a
/// reference table over 1990–2150 in the tests.
public enum Astronomy {
    /// Julian day of 1970-01-01 00:00 UT, where `CivilDate.dayNumber` is 0.
    static let unixEpochJD = 2_440_587.5

    /// The civil date in China Standard Time of an instant given in Julian ephemeris days.
    public static func beijingDay(_ jde: Double) -> CivilDate {
        let ut = jde - deltaT(jde) / 86_400
        return CivilDate(dayNumber: Int((ut + 8.0 / 24.0 - unixEpochJD).rounded(.down)))
    }

    /// ΔT = TT − UT in seconds (Espenak & Meeus, 2006), by decimal year.
    static func deltaT(_ jde: Double) -> Double {
        let y = 2000.0 + (jde - 2_451_545.0) / 365.25
        switch y {
        case ..<1986:
            let t = y - 1975
            return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718
        case ..<2005:
            let t = y - 2000
            return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * pow(t, 3) + 0.000651814 * pow(t, 4)
                + 0.00002373599 * pow(t, 5)
        case ..<2050:
            let t = y - 2000
            return 62.92 + 0.32217 * t + 0.005589 * t * t
        case ..<2150:
            let u = (y - 1820) / 100
            return -20 + 32 * u * u - 0.5628 * (2150 - y)
        default:
            let u = (y - 1820) / 100
            return -20 + 32 * u * u
        }
    }

    // MARK: The sun

    /// The sun's apparent geocentric longitude in degrees [0, 360), for the equinox of date.
    public static func solarLongitude(_ jde: Double) -> Double {
        let tau = (jde - 2_451_545.0) / 365_250
        var l = 0.0
        var power = 1.0
        for series in earthL {
            var sum = 0.0
            for term in series { sum += term.a * cos(term.b + term.c * tau) }
            l += sum * power
            power *= tau
        }
        // Heliocentric longitude of the earth → geocentric of the sun, FK5, nutation, aberration.
        let t = tau * 10
        var lambda = degrees(l / 1e8) + 180 - 0.09033 / 3600
        let omega = radians(125.04452 - 1934.136261 * t)
        let sunMean = radians(280.4665 + 36_000.7698 * t)
        let moonMean = radians(218.3165 + 481_267.8813 * t)
        let nutation = -17.20 * sin(omega) - 1.32 * sin(2 * sunMean) - 0.23 * sin(2 * moonMean) + 0.21 * sin(2 * omega)
        let anomaly = radians(357.52911 + 35_999.05029 * t)
        let distance = 1.000140612 - 0.016708617 * cos(anomaly) - 0.000139589 * cos(2 * anomaly)
        lambda += nutation / 3600 - 20.4898 / 3600 / distance
        return normalized(lambda)
    }

    /// The instant (JDE) the sun reaches `longitude` degrees, nearest to `near`.
    public static func solarTerm(longitude: Double, near: Double) -> Double {
        var jde = near
        for _ in 0..<8 {
            var gap = longitude - solarLongitude(jde)
            gap -= 360 * (gap / 360).rounded()
            jde += gap * 365.2422 / 360
            if abs(gap) < 1e-7 { break }
        }
        return jde
    }

    /// The instant (JDE) of the sun at `longitude` degrees in the given Gregorian year
    /// (longitude 0 is the March equinox; 270 the December solstice).
    public static func solarTerm(longitude: Double, year: Int) -> Double {
        // Mean date: the March equinox is near March 20.
        let march = 2_451_623.80984 + 365.242374 * Double(year - 2000)
        var offset = longitude / 360 * 365.2422
        if longitude >= 285 { offset -= 365.2422 }  // 小寒 and 大寒 fall early in the year
        return solarTerm(longitude: longitude, near: march + offset)
    }

    // MARK: The moon

    /// The instant (JDE) of new moon number `k` (k = 0 is the new moon of 2000-01-06).
    public static func newMoon(_ k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85
        let t2 = t * t
        let t3 = t2 * t
        let t4 = t3 * t
        var jde = 2_451_550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4
        let e = 1 - 0.002516 * t - 0.0000074 * t2
        let m = radians(2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3)
        let mp = radians(201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4)
        let f = radians(160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4)
        let om = radians(124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3)
        var c = -0.40720 * sin(mp) + 0.17241 * e * sin(m) + 0.01608 * sin(2 * mp) + 0.01039 * sin(2 * f)
        c += 0.00739 * e * sin(mp - m) - 0.00514 * e * sin(mp + m) + 0.00208 * e * e * sin(2 * m)
        c += -0.00111 * sin(mp - 2 * f) - 0.00057 * sin(mp + 2 * f) + 0.00056 * e * sin(2 * mp + m)
        c += -0.00042 * sin(3 * mp) + 0.00042 * e * sin(m + 2 * f) + 0.00038 * e * sin(m - 2 * f)
        c += -0.00024 * e * sin(2 * mp - m) - 0.00017 * sin(om) - 0.00007 * sin(mp + 2 * m)
        c += 0.00004 * sin(2 * mp - 2 * f) + 0.00004 * sin(3 * m) + 0.00003 * sin(mp + m - 2 * f)
        c += 0.00003 * sin(2 * mp + 2 * f) - 0.00003 * sin(mp + m + 2 * f) + 0.00003 * sin(mp - m + 2 * f)
        c += -0.00002 * sin(mp - m - 2 * f) - 0.00002 * sin(3 * mp + m) + 0.00002 * sin(4 * mp)
        jde += c
        // Planetary arguments.
        let a: [(Double, Double, Double)] = [
            (299.77, 0.107408, 0.000325), (251.88, 0.016321, 0.000165), (251.83, 26.651886, 0.000164),
            (349.42, 36.412478, 0.000126), (84.66, 18.206239, 0.000110), (141.74, 53.303771, 0.000062),
            (207.14, 2.453732, 0.000060), (154.84, 7.306860, 0.000056), (34.52, 27.261239, 0.000047),
            (207.19, 0.121824, 0.000042), (291.34, 1.844379, 0.000040), (161.72, 24.198154, 0.000037),
            (239.56, 25.513099, 0.000035), (331.55, 3.592518, 0.000023),
        ]
        for (i, (base, rate, amplitude)) in a.enumerated() {
            let arg = base + rate * k - (i == 0 ? 0.009173 * t2 : 0)
            jde += amplitude * sin(radians(arg))
        }
        return jde
    }

    /// The number of the last new moon at or before `jde`.
    public static func newMoonIndex(atOrBefore jde: Double) -> Int {
        var k = Int(((jde - 2_451_550.09766) / 29.530588861).rounded(.down))
        while newMoon(k + 1) <= jde { k += 1 }
        while newMoon(k) > jde { k -= 1 }
        return k
    }

    // MARK: Helpers

    static func radians(_ d: Double) -> Double { d * .pi / 180 }
    static func degrees(_ r: Double) -> Double { r * 180 / .pi }
    static func normalized(_ d: Double) -> Double {
        let x = d.truncatingRemainder(dividingBy: 360)
        return x < 0 ? x + 360 : x
    }

    struct Term {
        var a: Double
        var b: Double
        var c: Double
        init(_ a: Double, _ b: Double, _ c: Double) {
            self.a = a
            self.b = b
            self.c = c
        }
    }

    /// The earth's heliocentric longitude, VSOP87D as truncated in Meeus's appendix III
    /// (amplitudes in 1e-8 radian), series L0…L5.
    static let earthL: [[Term]] = [
        [
            Term(175_347_046, 0, 0), Term(3_341_656, 4.6692568, 6283.0758500), Term(34894, 4.62610, 12566.15170),
            Term(3497, 2.7441, 5753.3849), Term(3418, 2.8289, 3.5231), Term(3136, 3.6277, 77713.7715),
            Term(2676, 4.4181, 7860.4194), Term(2343, 6.1352, 3930.2097), Term(1324, 0.7425, 11506.7698),
            Term(1273, 2.0371, 529.6910), Term(1199, 1.1096, 1577.3435), Term(990, 5.233, 5884.927), Term(902, 2.045, 26.298),
            Term(857, 3.508, 398.149), Term(780, 1.179, 5223.694), Term(753, 2.533, 5507.553), Term(505, 4.583, 18849.228),
            Term(492, 4.205, 775.523), Term(357, 2.920, 0.067), Term(317, 5.849, 11790.629), Term(284, 1.899, 796.298),
            Term(271, 0.315, 10977.079), Term(243, 0.345, 5486.778), Term(206, 4.806, 2544.314), Term(205, 1.869, 5573.143),
            Term(202, 2.458, 6069.777), Term(156, 0.833, 213.299), Term(132, 3.411, 2942.463), Term(126, 1.083, 20.775),
            Term(115, 0.645, 0.980), Term(103, 0.636, 4694.003), Term(102, 0.976, 15720.839), Term(102, 4.267, 7.114),
            Term(99, 6.21, 2146.17), Term(98, 0.68, 155.42), Term(86, 5.98, 161000.69), Term(85, 1.30, 6275.96),
            Term(85, 3.67, 71430.70), Term(80, 1.81, 17260.15), Term(79, 3.04, 12036.46), Term(75, 1.76, 5088.63),
            Term(74, 3.50, 3154.69), Term(74, 4.68, 801.82), Term(70, 0.83, 9437.76), Term(62, 3.98, 8827.39),
            Term(61, 1.82, 7084.90), Term(57, 2.78, 6286.60), Term(56, 4.39, 14143.50), Term(56, 3.47, 6279.55),
            Term(52, 0.19, 12139.55), Term(52, 1.33, 1748.02), Term(51, 0.28, 5856.48), Term(49, 0.49, 1194.45),
            Term(41, 5.37, 8429.24), Term(41, 2.40, 19651.05), Term(39, 6.17, 10447.39), Term(37, 6.04, 10213.29),
            Term(37, 2.57, 1059.38), Term(36, 1.71, 2352.87), Term(36, 1.78, 6812.77), Term(33, 0.59, 17789.85),
            Term(30, 0.44, 83996.85), Term(30, 2.74, 1349.87), Term(25, 3.16, 4690.48),
        ],
        [
            Term(628_331_966_747, 0, 0), Term(206_059, 2.678235, 6283.075850), Term(4303, 2.6351, 12566.1517),
            Term(425, 1.590, 3.523), Term(119, 5.796, 26.298), Term(109, 2.966, 1577.344), Term(93, 2.59, 18849.23),
            Term(72, 1.14, 529.69), Term(68, 1.87, 398.15), Term(67, 4.41, 5507.55), Term(59, 2.89, 5223.69),
            Term(56, 2.17, 155.42), Term(45, 0.40, 796.30), Term(36, 0.47, 775.52), Term(29, 2.65, 7.11), Term(21, 5.34, 0.98),
            Term(19, 1.85, 5486.78), Term(19, 4.97, 213.30), Term(17, 2.99, 6275.96), Term(16, 0.03, 2544.31),
            Term(16, 1.43, 2146.17), Term(15, 1.21, 10977.08), Term(12, 2.83, 1748.02), Term(12, 3.26, 5088.63),
            Term(12, 5.27, 1194.45), Term(12, 2.08, 4694.00), Term(11, 0.77, 553.57), Term(10, 1.30, 6286.60),
            Term(10, 4.24, 1349.87), Term(9, 2.70, 242.73), Term(9, 5.64, 951.72), Term(8, 5.30, 2352.87),
            Term(6, 2.65, 9437.76), Term(6, 4.67, 4690.48),
        ],
        [
            Term(52919, 0, 0), Term(8720, 1.0721, 6283.0758), Term(309, 0.867, 12566.152), Term(27, 0.05, 3.52),
            Term(16, 5.19, 26.30), Term(16, 3.68, 155.42), Term(10, 0.76, 18849.23), Term(9, 2.06, 77713.77),
            Term(7, 0.83, 775.52), Term(5, 4.66, 1577.34), Term(4, 1.03, 7.11), Term(4, 3.44, 5573.14), Term(3, 5.14, 796.30),
            Term(3, 6.05, 5507.55), Term(3, 1.19, 242.73), Term(3, 6.12, 529.69), Term(3, 0.31, 398.15), Term(3, 2.28, 553.57),
            Term(2, 4.38, 5223.69), Term(2, 3.75, 0.98),
        ],
        [
            Term(289, 5.844, 6283.076), Term(35, 0, 0), Term(17, 5.49, 12566.15), Term(3, 5.20, 155.42), Term(1, 4.72, 3.52),
            Term(1, 5.30, 18849.23), Term(1, 5.97, 242.73),
        ],
        [Term(114, 3.142, 0), Term(8, 4.13, 6283.08), Term(1, 3.84, 12566.15)],
        [Term(1, 3.14, 0)],
    ]
}

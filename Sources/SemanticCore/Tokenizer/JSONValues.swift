// JSONValues: strict readings of the Foundation values JSONSerialization produces, where a number and a
// boolean can both arrive as NSNumber: `0` is never read as `false`, nor `true` as `1`.
import Foundation

enum JSONValues {
    /// An integral number as Int; nil for booleans, fractions and anything else.
    static func integer(_ value: Any?) -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? NSNumber {
            if isBoolean(number) { return nil }
            let double = number.doubleValue
            guard double.isFinite, double == double.rounded(), abs(double) < 9e15 else { return nil }
            return number.intValue
        }
        return nil
    }

    /// A JSON `true` or `false`; nil for numbers and anything else.
    static func boolean(_ value: Any?) -> Bool? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? NSNumber {
            return isBoolean(number) ? number.boolValue : nil
        }
        return value as? Bool
    }

    /// JSONSerialization stores booleans as char-typed NSNumbers and never produces a char from a number.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}

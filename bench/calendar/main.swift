import OneStopCore

print("bench")

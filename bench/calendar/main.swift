import OneStopCore
print("bench")

from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.sdk.serve import main_for

main_for(GoDriver())

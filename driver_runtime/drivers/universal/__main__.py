from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.sdk.serve import main_for

main_for(UniversalDriver())

from driver_runtime.drivers.java.driver import JavaDriver
from driver_runtime.sdk.serve import main_for

main_for(JavaDriver())

terraform {
  required_version = ">= 1.6"
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "logging/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "retention_days" {
  type    = number
  default = 30
}

locals {
  common_tags = {
    team    = "platform"
    service = "logging"
  }
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs-${data.aws_caller_identity.current.account_id}"
  tags   = merge(local.common_tags, { Name = "logs" })
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire"
    status = "Enabled"

    expiration {
      days = var.retention_days
    }
  }
}

module "alerts" {
  source  = "./modules/alerts"
  bucket  = aws_s3_bucket.logs.bucket
  enabled = true
}

output "bucket_arn" {
  value       = aws_s3_bucket.logs.arn
  description = "ARN of the log bucket"
}
